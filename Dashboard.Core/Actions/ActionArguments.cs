using Dashboard.Core.Query;

namespace Dashboard.Core.Actions;

/// <summary>
/// Reads the arguments of <c>session disconnect</c> and <c>session reauthorize</c> (docs/query-language.md#disconnect-and-reauthorize):
/// positional <c>key=value</c> words and <c>--flag</c> / <c>--flag=value</c> words, from a command line
/// or from the HTTP API's decoded query string. Every mistake comes back as a message; nothing throws.
/// </summary>
public static class ActionArguments
{
    /// <summary>How <c>session disconnect</c> is called, shown with its errors.</summary>
    public const string DisconnectUsage = "session disconnect client-id=X [--mountpoint=M] [--cleanup]";

    /// <summary>How <c>session reauthorize</c> is called, shown with its errors.</summary>
    public const string ReauthorizeUsage = "session reauthorize username=U client-id=X [--mountpoint=M]";

    /// <summary>Parses <c>client-id=X [--mountpoint=M] [--cleanup]</c>.</summary>
    public static Result<DisconnectRequest> ParseDisconnect(IReadOnlyList<string> words)
    {
        var read = Read(words, ["client-id"], ["mountpoint", "cleanup"]);
        if (!read.IsSuccess)
        {
            return Result<DisconnectRequest>.Fail(read.Error!);
        }
        var (keys, flags) = read.Value;
        if (Mountpoint(flags) is { IsSuccess: false } badMountpoint)
        {
            return Result<DisconnectRequest>.Fail(badMountpoint.Error!);
        }
        if (flags.TryGetValue("cleanup", out var cleanup) && cleanup is not null)
        {
            return Result<DisconnectRequest>.Fail($"--cleanup takes no value (got \"{cleanup}\")");
        }
        if (!keys.TryGetValue("client-id", out var clientId) || clientId.Length == 0)
        {
            return Result<DisconnectRequest>.Fail($"Missing client-id: {DisconnectUsage}");
        }
        return Result<DisconnectRequest>.Ok(new DisconnectRequest
        {
            ClientId = clientId,
            Mountpoint = Mountpoint(flags).Value,
            Cleanup = flags.ContainsKey("cleanup"),
        });
    }

    /// <summary>Parses <c>username=U client-id=X [--mountpoint=M]</c>; both keys are required.</summary>
    public static Result<ReauthorizeRequest> ParseReauthorize(IReadOnlyList<string> words)
    {
        var read = Read(words, ["username", "client-id"], ["mountpoint"]);
        if (!read.IsSuccess)
        {
            return Result<ReauthorizeRequest>.Fail(read.Error!);
        }
        var (keys, flags) = read.Value;
        var mountpoint = Mountpoint(flags);
        if (!mountpoint.IsSuccess)
        {
            return Result<ReauthorizeRequest>.Fail(mountpoint.Error!);
        }
        if (!keys.TryGetValue("username", out var user) || user.Length == 0
            || !keys.TryGetValue("client-id", out var clientId) || clientId.Length == 0)
        {
            return Result<ReauthorizeRequest>.Fail($"Both username and client-id are required: {ReauthorizeUsage}");
        }
        return Result<ReauthorizeRequest>.Ok(new ReauthorizeRequest { User = user, ClientId = clientId, Mountpoint = mountpoint.Value });
    }

    private static Result<string> Mountpoint(Dictionary<string, string?> flags) =>
        !flags.TryGetValue("mountpoint", out var value) ? Result<string>.Ok("")
        : value is null ? Result<string>.Fail("Invalid mountpoint value")
        : Result<string>.Ok(value);

    private static Result<(Dictionary<string, string> Keys, Dictionary<string, string?> Flags)> Read(
        IReadOnlyList<string> words, string[] knownKeys, string[] knownFlags)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                var name = equals < 0 ? word[2..] : word[2..equals];
                if (!knownFlags.Contains(name))
                {
                    return Fail($"Invalid flag: \"{name}\"");
                }
                // VerneMQ treats "--mountpoint=" like a missing value.
                var value = equals < 0 || equals == word.Length - 1 ? null : word[(equals + 1)..];
                flags[name] = value;
            }
            else if (equals > 0)
            {
                var name = word[..equals];
                if (!knownKeys.Contains(name))
                {
                    return Fail($"Invalid key: \"{name}\"");
                }
                keys[name] = word[(equals + 1)..];
            }
            else
            {
                return Fail($"Invalid argument \"{word}\": arguments are key=value or --flag");
            }
        }
        return Result<(Dictionary<string, string>, Dictionary<string, string?>)>.Ok((keys, flags));

        static Result<(Dictionary<string, string>, Dictionary<string, string?>)> Fail(string message) =>
            Result<(Dictionary<string, string>, Dictionary<string, string?>)>.Fail(message);
    }
}
