namespace McpSessions.EF.Locking;

/// <summary>
/// A lock across processes on one SQLite file: an exclusively opened lock file beside the database (on Unix .NET
/// takes <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>). The operating system releases it when the holder's
/// process dies. Waiting polls with a growing delay up to 50 ms.
/// </summary>
internal static class FileSessionLock
{
    public static async Task<IAsyncDisposable> AcquireAsync(string directory, long key, TimeSpan timeout, TimeProvider time, Func<Exception> onTimeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{(ulong)key:x16}.lock");
        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return new Hold(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException)
            {
                if (time.GetTimestamp() >= deadline)
                {
                    throw onTimeout();
                }
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(50, delay.TotalMilliseconds * 2));
        }
    }

    private sealed class Hold(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
