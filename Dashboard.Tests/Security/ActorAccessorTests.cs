using System.Security.Claims;
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
    public async Task GetActorAsync_ExplicitActor_WinsOverTheRequestUser()
    {
        var accessor = Accessor("alice");

        accessor.Set("key:ops");

        Assert.Equal("key:ops", await accessor.GetActorAsync());
    }

    private static ActorAccessor Accessor(string? user)
    {
        var context = new DefaultHttpContext();
        if (user is not null)
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "test"));
        }
        return new ActorAccessor(new HttpContextAccessor { HttpContext = context }, new ServiceCollection().BuildServiceProvider());
    }
}
