using System.Security.Claims;
using Dashboard.Api;
using Dashboard.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Security;

public sealed class ActorAccessorTests
{
    [Fact]
    public async Task GetActorAsync_NothingKnown_Anonymous() =>
        Assert.Equal(AuditActors.Anonymous, await Accessor(null).GetActorAsync());

    [Fact]
    public async Task GetActorAsync_SignedInRequest_UserName() =>
        Assert.Equal("alice", await Accessor("alice").GetActorAsync());

    [Fact]
    public async Task GetIdentityAsync_ApiKeyRequest_TheKeysActorAndPrincipal()
    {
        var key = ApiKeyAuthentication.Principal(new ApiCaller(ApiKeyScope.Mgmt, "config:Api:Keys:0"));

        var who = await AccessorFor(key).GetIdentityAsync();

        Assert.Equal("config:Api:Keys:0", who.Name);
        Assert.Same(key, who.User);
    }

    private static ActorAccessor Accessor(string? user) =>
        AccessorFor(user is null ? null : new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "test")));

    private static ActorAccessor AccessorFor(ClaimsPrincipal? user)
    {
        var context = new DefaultHttpContext();
        if (user is not null)
        {
            context.User = user;
        }
        return new ActorAccessor(new HttpContextAccessor { HttpContext = context }, new ServiceCollection().BuildServiceProvider());
    }
}
