using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Dashboard.Security.Data;

/// <summary>A dashboard user in ASP.NET Core Identity's <c>AspNetUsers</c> table; the role is an Identity role.</summary>
public sealed class DashboardUser : IdentityUser<long>
{
    public DateTimeOffset Created { get; set; }
}

/// <summary>One of the <see cref="UserRole"/>s, seeded by the first migration with fixed ids.</summary>
public sealed class DashboardRole : IdentityRole<long>
{
}

/// <summary>An API key or wall token (<see cref="Kind"/>), its secret stored only as a SHA-256 hash.</summary>
public sealed class CredentialRow
{
    public long Id { get; set; }

    public required string Kind { get; set; }

    public required string Name { get; set; }

    public string? Scope { get; set; }

    public required string DisplayPrefix { get; set; }

    public required byte[] SecretHash { get; set; }

    public DateTimeOffset Created { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? Expires { get; set; }

    public DateTimeOffset? Revoked { get; set; }

    public string? RevokedBy { get; set; }
}

/// <summary>One audit log entry (<see cref="AuditEntry"/>).</summary>
public sealed class AuditRow
{
    public long Id { get; set; }

    public DateTimeOffset Time { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Target { get; set; }

    public required string Parameters { get; set; }

    public required string Result { get; set; }
}

/// <summary>A sign-in ended by signing out, remembered until its cookie would have expired (<see cref="EndedSignIns"/>).</summary>
public sealed class EndedSignInRow
{
    public required string Id { get; set; }

    public DateTimeOffset Until { get; set; }
}

/// <summary>A client block (<see cref="Core.Blocks.ClientBlock"/>) as stored.</summary>
public sealed class ClientBlockRow
{
    public long Id { get; set; }

    public required string Kind { get; set; }

    public required string Pattern { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset? Expires { get; set; }

    public DateTimeOffset Created { get; set; }

    public required string CreatedBy { get; set; }
}

/// <summary>
/// The security database <c>dashboard.db</c> as EF Core sees it: ASP.NET Core Identity's users and roles,
/// and beside them the dashboard's own tables (credentials, audit, ended sign-ins, client blocks), so an
/// action and its audit entry commit in one <c>SaveChanges</c>. The schema is the migrations' in
/// <c>Security/Migrations</c> (docs/security.md, "The security database").
/// </summary>
public sealed class SecurityDbContext(DbContextOptions<SecurityDbContext> options)
    : IdentityDbContext<DashboardUser, DashboardRole, long>(options)
{
    public DbSet<CredentialRow> Credentials => Set<CredentialRow>();

    public DbSet<AuditRow> Audit => Set<AuditRow>();

    public DbSet<EndedSignInRow> EndedSignIns => Set<EndedSignInRow>();

    public DbSet<ClientBlockRow> ClientBlocks => Set<ClientBlockRow>();

    /// <summary>The role row's id for <paramref name="role"/>: fixed, so code and migrations agree without a lookup.</summary>
    public static long RoleId(UserRole role) => (long)role + 1;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // Times are Unix milliseconds in INTEGER columns, as before Identity: SQLite can then compare and
        // order them (the audit log's time filter), which EF's text form of DateTimeOffset cannot.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMilliseconds>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.OnModelCreating(builder);

        builder.Entity<DashboardRole>().HasData(Enum.GetValues<UserRole>().Select(role => new DashboardRole
        {
            Id = RoleId(role),
            Name = role.ToString(),
            NormalizedName = DashboardLookupNormalizer.Normalize(role.ToString()),
            // Fixed, so the seed does not change (and need a migration) at every build.
            ConcurrencyStamp = role.ToString(),
        }));

        builder.Entity<CredentialRow>(credential =>
        {
            credential.ToTable("credentials");
            // Names are unique per kind ignoring ASCII case, and stay taken after revocation.
            credential.Property(c => c.Name).UseCollation("NOCASE");
            credential.HasIndex(c => new { c.Kind, c.Name }).IsUnique();
            credential.HasIndex(c => c.SecretHash).IsUnique();
        });
        builder.Entity<AuditRow>(audit =>
        {
            audit.ToTable("audit");
            audit.HasIndex(a => a.Time);
            audit.HasIndex(a => new { a.Target, a.Time });
            audit.HasIndex(a => new { a.Actor, a.Time });
        });
        builder.Entity<EndedSignInRow>(ended =>
        {
            ended.ToTable("ended_sign_ins");
            ended.HasKey(e => e.Id);
        });
        builder.Entity<ClientBlockRow>().ToTable("client_blocks");

        // The dashboard's own tables keep the snake_case columns they had before Identity.
        foreach (var entity in new[] { typeof(CredentialRow), typeof(AuditRow), typeof(EndedSignInRow), typeof(ClientBlockRow) })
        {
            foreach (var property in builder.Entity(entity).Metadata.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    private sealed class UnixMilliseconds() : ValueConverter<DateTimeOffset, long>(
        time => time.ToUnixTimeMilliseconds(), milliseconds => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
}

/// <summary>
/// User names compare ignoring ASCII case only, as SQLite's NOCASE did before Identity: Identity's
/// default (upper-case every letter) would make names that were distinct collide.
/// </summary>
public sealed class DashboardLookupNormalizer : ILookupNormalizer
{
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= 'a' and <= 'z' ? (char)(source[i] - 32) : source[i];
            }
        });
    }

    public string? NormalizeName(string? name) => name is null ? null : Normalize(name);

    public string? NormalizeEmail(string? email) => email is null ? null : Normalize(email);
}

/// <summary>For <c>dotnet ef migrations add</c> only (docs/security.md): the app itself opens the context through <see cref="SecurityDatabase"/>.</summary>
internal sealed class SecurityDbContextDesignFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SecurityDbContext>
{
    public SecurityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SecurityDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
