using Spectre.Console;

namespace McpSessions.EF.Cli.Rendering;

/// <summary>A progress bar for long operations, on a terminal only: redirected output stays clean.</summary>
internal static class CliProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports (done, total) through the action it is given.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, Func<Action<long, long>, Task<T>> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await work(static (_, _) => { });
        }

        var result = default(T)!;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                result = await work((done, total) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = Math.Min(done, task.MaxValue);
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; would post to the pool and could land after the bar stopped).</summary>
    public sealed class Callback<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
