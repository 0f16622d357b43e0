using Dashboard.Hosting;
using Dashboard.Security;
using Microsoft.Extensions.Options;

namespace Dashboard.Hubs;

/// <summary>
/// Checks the live feed's callers again every <c>Auth:RevalidateInterval</c> (default 30 s), as open
/// pages are: the hub checks a caller only when it connects, and a revoked key must not keep streaming.
/// </summary>
internal sealed class FeedRevalidation(SessionFeeds feeds, PrincipalValidator validator, IOptions<AuthOptions> auth,
    TimeProvider time, ILogger<FeedRevalidation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(auth.Value.RevalidateInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (feeds.Revalidate(validator.IsCurrent) is > 0 and var ended)
                    {
                        logger.LogInformation("Ended {Count} live-feed connections whose key, token or sign-in no longer stands", ended);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A busy database this round; the next tick tries again.
                    logger.LogWarning(exception, "Could not check the live feed's callers again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }
}
