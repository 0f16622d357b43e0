using Dashboard.Security;
using Dashboard.Tests.Components;

namespace Dashboard.Tests.Security;

/// <summary>The app's own policies, through ASP.NET Core's authorization service, against the README's role table.</summary>
public class PoliciesTests
{
    [Theory]
    [InlineData("Viewer", new[] { Policies.View, Policies.Wall })]
    [InlineData("Operator", new[] { Policies.View, Policies.Act, Policies.Wall })]
    [InlineData("Admin", new[] { Policies.View, Policies.Act, Policies.Admin, Policies.Wall })]
    [InlineData(Policies.WallRole, new[] { Policies.Wall })]
    public void Role_SatisfiesExactlyTheReadmesPolicies(string role, string[] expected)
    {
        Assert.Equal(expected, AppPolicies.GrantedTo(role));
    }

    [Fact]
    public void UnknownRole_SatisfiesNoPolicy()
    {
        Assert.Empty(AppPolicies.GrantedTo("Nobody"));
    }
}
