namespace Dashboard.Tests.Core.Auth;

/// <summary>A fresh directory under the system temp folder, deleted with its contents on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dashboard-auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Replaces a file the way careful editors do: write a temporary file, then rename it over the original.</summary>
    public void ReplaceAtomically(string path, string content)
    {
        var temp = File($".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.swp");
        System.IO.File.WriteAllText(temp, content);
        System.IO.File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a watcher may still hold the directory for a moment.
        }
    }
}
