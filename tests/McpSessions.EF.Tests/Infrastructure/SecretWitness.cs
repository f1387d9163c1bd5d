using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace McpSessions.EF.Tests.Infrastructure;

/// <summary>
/// Distinctive secrets to plant, and everything a host could see of them: every log entry at every level and category
/// (its message, its structured values, its scopes, its exception's <c>ToString()</c>), every exception a call threw
/// (with its inner exceptions, their public string properties and <c>Data</c>), every tag of every measurement on any
/// meter, and any text a test hands over (a process's output). <see cref="AssertNoSecret"/> fails when any of it holds
/// a 12-character piece of a secret, so a truncated echo is caught too.
/// </summary>
/// <remarks>
/// The secrets are random per witness: tests running side by side in the process (whose measurements the listener
/// sees too) never hold them, and a witness's findings are its own.
/// </remarks>
public sealed class SecretWitness : ILoggerProvider
{
    /// <summary>The length of the pieces looked for.</summary>
    public const int Piece = 12;

    private readonly ConcurrentQueue<(string Source, string Text)> _seen = new();
    private readonly ConcurrentDictionary<string, byte> _tags = new();
    private readonly List<string> _secrets = [];
    private readonly MeterListener _listener = new();
    private int _logEntries;

    public SecretWitness()
    {
        AccessToken = Plant("at");
        RefreshToken = Plant("rt");
        IdToken = Plant("id");
        ClientSecret = Plant("cs");
        HeaderValue = Plant("hv");
        CodeVerifier = Plant("cv");
        Password = Plant("pw");

        _listener.InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument);
        _listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<int>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<float>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<short>((i, _, tags, _) => Measured(i, tags));
        _listener.SetMeasurementEventCallback<byte>((i, _, tags, _) => Measured(i, tags));
        _listener.Start();
    }

    public string AccessToken { get; }

    public string RefreshToken { get; }

    public string IdToken { get; }

    public string ClientSecret { get; }

    public string HeaderValue { get; }

    public string CodeVerifier { get; }

    /// <summary>A database password, for connection strings.</summary>
    public string Password { get; }

    public IReadOnlyList<string> Secrets => _secrets;

    /// <summary>How many log entries were seen: a check of nothing proves nothing.</summary>
    public int LogEntries => Volatile.Read(ref _logEntries);

    /// <summary>Every tag seen, as <c>meter/instrument: key=value</c>.</summary>
    public IReadOnlyCollection<string> Tags => (IReadOnlyCollection<string>)_tags.Keys;

    /// <summary>Every log entry seen, as <c>level category: message | exception</c>.</summary>
    public IEnumerable<string> LogLines => _seen.Where(s => s.Source.StartsWith("log ", StringComparison.Ordinal)).Select(s => s.Text);

    /// <summary>A short random prefix and 24 random characters: every 12-character piece holds random characters.</summary>
    private string Plant(string prefix)
    {
        const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var secret = prefix + "Zq" + RandomNumberGenerator.GetString(Alphabet, 24);
        _secrets.Add(secret);
        return secret;
    }

    /// <summary>Records text a test saw (a process's output, a message).</summary>
    public void Saw(string source, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _seen.Enqueue((source, text));
        }
    }

    /// <summary>Records an exception: its <c>ToString()</c> (which holds the inner ones), and per exception in the chain its message, public string properties and <c>Data</c>.</summary>
    public void Saw(string source, Exception exception)
    {
        Saw(source + " ToString()", exception.ToString());
        var chain = new Stack<Exception>([exception]);
        while (chain.TryPop(out var e))
        {
            var name = $"{source} {e.GetType().Name}";
            Saw(name + ".Message", e.Message);
            foreach (var property in e.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.PropertyType == typeof(string) && property.GetIndexParameters().Length == 0 && property.Name is not (nameof(Exception.StackTrace)))
                {
                    string? value;
                    try
                    {
                        value = (string?)property.GetValue(e);
                    }
                    catch (TargetInvocationException)
                    {
                        continue;
                    }

                    Saw($"{name}.{property.Name}", value);
                }
            }

            foreach (DictionaryEntry entry in e.Data)
            {
                Saw($"{name}.Data[{entry.Key}]", Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    chain.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                chain.Push(inner);
            }
        }
    }

    /// <summary>Runs <paramref name="call"/>, which must fail, and records what it threw.</summary>
    public async Task<Exception> FailsAsync(string source, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e)
        {
            Saw(source, e);
            return e;
        }

        throw new Xunit.Sdk.XunitException($"{source} was meant to fail and did not");
    }

    /// <summary>Runs <paramref name="call"/>, recording what it threw if it threw; true if it succeeded.</summary>
    public async Task<bool> TryAsync(string source, Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception e)
        {
            Saw(source, e);
            return false;
        }
    }

    /// <summary>Fails, naming the source and the secret's kind (not the secret), when anything recorded holds a piece of a secret.</summary>
    public void AssertNoSecret()
    {
        var findings = Findings();
        if (findings.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"{findings.Count} leak(s) of a secret:\n" + string.Join("\n", findings.Take(20)));
        }
    }

    /// <summary>Each recorded text that holds a piece of a secret, with where it came from.</summary>
    public List<string> Findings()
    {
        var pieces = _secrets.SelectMany(s => Enumerable.Range(0, s.Length - Piece + 1).Select(i => (Secret: s, Piece: s.Substring(i, Piece)))).ToList();
        var texts = _seen.Concat(_tags.Keys.Select(t => ("metric tag", t)));
        var findings = new List<string>();
        foreach (var (source, text) in texts)
        {
            foreach (var (secret, piece) in pieces)
            {
                if (text.Contains(piece, StringComparison.Ordinal))
                {
                    findings.Add($"{source}: holds part of secret #{_secrets.IndexOf(secret)} ('{piece}'): {Shorten(text)}");
                    break;
                }
            }
        }

        return findings;
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";

    private void Measured(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            _tags.TryAdd($"{instrument.Meter.Name}/{instrument.Name}: {tag.Key}={tag.Value}", 0);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _listener.Dispose();

    private sealed class Logger(SecretWitness witness, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            witness.Saw($"scope {category}", Describe(state));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref witness._logEntries);
            var line = $"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}";
            witness.Saw($"log {category}", line + (exception is null ? "" : " | " + exception));
            witness.Saw($"log {category} values", Describe(state));
        }

        private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
            ? string.Join("; ", values.Select(v => $"{v.Key}={Value(v.Value)}"))
            : Convert.ToString(state, System.Globalization.CultureInfo.InvariantCulture) ?? "";

        private static string? Value(object? value) => value is IEnumerable sequence and not string
            ? string.Join(", ", sequence.Cast<object?>().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))
            : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
