using System.Data.Common;

namespace McpSessions.EF.Benchmarks.Macro;

/// <summary>The raw baselines' one way of reading a result: every row, in order, as idiomatic ADO.NET code does.</summary>
internal static class RawReads
{
    public static async Task<List<T>> AllAsync<T>(DbCommand command, Func<DbDataReader, T> read, int capacity = 0)
    {
        var rows = new List<T>(capacity);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static string FirstColumn(DbDataReader reader) => reader.GetString(0);
}
