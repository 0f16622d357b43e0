using Microsoft.Extensions.Options;

namespace Dashboard.Hosting;

/// <summary>
/// Refuses a browser connection to the circuit (<c>/_blazor</c>), the live feed (<c>/hubs</c>) or MQTT
/// over WebSocket (<c>/mqtt</c>) from a page of another origin. The sign-in cookie is SameSite=Strict,
/// but "site" ignores the port, so a page served from another port of the same host would send it;
/// SignalR does not check the Origin itself. For <c>/mqtt</c> the risk is different (MQTT carries its own
/// credentials) but a page a user visits could still use the user's network position to reach the
/// broker, so only the origins in <c>Mqtt:AllowedOrigins</c> (a list; <c>*</c> allows any) are let in
/// beside the dashboard's own. Programs (no Origin header) are unaffected.
/// </summary>
internal static class SameOriginSockets
{
    public static IApplicationBuilder UseSameOriginSockets(this IApplicationBuilder app)
    {
        var mqttOrigins = app.ApplicationServices.GetRequiredService<IOptions<MqttOptions>>().Value.AllowedOrigins;
        var anyMqttOrigin = mqttOrigins.Contains("*");
        return app.Use((context, next) =>
        {
            var path = context.Request.Path;
            var isMqtt = path.StartsWithSegments("/mqtt");
            if ((isMqtt || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/hubs"))
                && context.Request.Headers.Origin is [{ Length: > 0 } origin, ..]
                && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase)
                && !(isMqtt && (anyMqttOrigin || mqttOrigins.Contains(origin.TrimEnd('/')))))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return context.Response.WriteAsync(
                    isMqtt ? "Connections from this origin are refused (see Mqtt:AllowedOrigins)." : "Cross-origin connections are refused.",
                    context.RequestAborted);
            }
            return next(context);
        });
    }
}
