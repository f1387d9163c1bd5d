using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace McpSessions.EF.Json;

/// <summary>Serialisation of one JSON column's CLR type, and the value comparer EF needs to track it.</summary>
internal static class JsonColumn
{
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)SessionJsonContext.Default.GetTypeInfo(typeof(T))!;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize(json, TypeInfo<T>()) ?? throw new JsonException("The JSON column holds null.");

    /// <summary>
    /// Compares by JSON text and snapshots by a JSON round trip: the objects are mutable, so a tracked entity
    /// whose tokens were changed in place must still be detected as modified.
    /// </summary>
    public static ValueComparer<T?> Comparer<T>() where T : class => new(
        (a, b) => ReferenceEquals(a, b) || (a != null && b != null && Serialize(a) == Serialize(b)),
        v => v == null ? 0 : Serialize(v).GetHashCode(StringComparison.Ordinal),
        v => v == null ? null : Deserialize<T>(Serialize(v)));
}
