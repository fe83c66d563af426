using Microsoft.Data.Sqlite;

namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>The merger's connection: moves the oldest staged rows into <c>events</c> and deletes them
/// from <c>staged</c> in one transaction, so a row is in exactly one table before and after, and a
/// crash mid-merge leaves it staged (the next merge takes it again). INSERT OR IGNORE makes a repeat
/// harmless should an id ever be in both. Rows go in rowid order, which is about time order, so each
/// index grows at the end of its key ranges, where its pages are already in this connection's cache.</summary>
internal sealed class WarmMerge : IDisposable
{
    // The indexes of a few million rows: large enough that inserting stays in memory, not in the OS cache.
    private const int CacheKiB = 128 * 1024;
    private readonly Lock _lock = new();
    private readonly SqliteConnection _conn;
    private readonly SqliteCommand _upto;
    private readonly SqliteCommand _copy;
    private readonly SqliteCommand _delete;

    public WarmMerge(SqliteConnection conn)
    {
        _conn = conn;
        WarmStore.Execute(conn, $"PRAGMA cache_size=-{CacheKiB};");
        _upto = conn.CreateCommand();
        _upto.CommandText = "SELECT max(rowid) FROM (SELECT rowid FROM staged ORDER BY rowid LIMIT $max)";
        _upto.Parameters.Add(new SqliteParameter("$max", 0));
        _copy = UpToCommand(conn, $"INSERT OR IGNORE INTO events ({WarmSchema.Columns}) SELECT {WarmSchema.Columns} FROM staged WHERE rowid <= $upto ORDER BY rowid");
        _delete = UpToCommand(conn, "DELETE FROM staged WHERE rowid <= $upto");
    }

    /// <summary>Returns the rows taken off staging.</summary>
    public int Run(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        lock (_lock)
        {
            using var tx = _conn.BeginTransaction(); // IMMEDIATE: the rows chosen cannot change under us
            _upto.Transaction = tx;
            _upto.Parameters[0].Value = max;
            if (_upto.ExecuteScalar() is not long upto)
                return 0;
            foreach (var cmd in (ReadOnlySpan<SqliteCommand>)[_copy, _delete])
            {
                cmd.Transaction = tx;
                cmd.Parameters[0].Value = upto;
            }
            _copy.ExecuteNonQuery();
            int taken = _delete.ExecuteNonQuery();
            tx.Commit();
            return taken;
        }
    }

    public void Dispose()
    {
        _upto.Dispose();
        _copy.Dispose();
        _delete.Dispose();
        _conn.Dispose();
    }

    private static SqliteCommand UpToCommand(SqliteConnection conn, string sql)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.Add(new SqliteParameter("$upto", 0L));
        return cmd;
    }
}
