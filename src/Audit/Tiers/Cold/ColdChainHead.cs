using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>The newest cold segment's number and chain hash, kept outside the segment directory:
/// a one-row table in the warm SQLite file, on its own connection. The chain alone only proves
/// that what is present links up; removing the newest segments together with their index lines
/// leaves a shorter chain that still links. The head remembers how long the chain was.</summary>
public sealed class ColdChainHead
{
    private const string Create = """
        CREATE TABLE IF NOT EXISTS cold_head (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            number INTEGER NOT NULL,
            chain TEXT NOT NULL
        );
        """;

    private readonly string _connectionString;

    public ColdChainHead(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = Create;
        cmd.ExecuteNonQuery();
    }

    /// <summary>The recorded head, or null when no segment was ever recorded here.</summary>
    public (long Number, string Chain)? Read()
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT number, chain FROM cold_head WHERE one = 1";
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), r.GetString(1)) : null;
    }

    /// <summary>Moves the head forward; a number at or below the recorded one is ignored, so the
    /// head can only grow (a replayed or racing write never shortens it).</summary>
    public void Advance(long number, string chain)
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            INSERT INTO cold_head (one, number, chain) VALUES (1, $number, $chain)
            ON CONFLICT(one) DO UPDATE SET number = excluded.number, chain = excluded.chain
            WHERE excluded.number > cold_head.number
            """;
        cmd.Parameters.AddWithValue("$number", number);
        cmd.Parameters.AddWithValue("$chain", chain);
        cmd.ExecuteNonQuery();
    }

    // FULL sync (see WarmStore.OpenDurable): a head that a power cut rolls back would report the
    // newest segment as removed.
    private SqliteConnection Open() => WarmStore.OpenDurable(_connectionString);
}
