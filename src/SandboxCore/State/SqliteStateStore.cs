using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sandboxd.Api.V1;

namespace Sandboxd.Core.State;

/// <summary>Sandbox records in SQLite (WAL). One connection behind a lock: writes are tiny and
/// a create is dominated by clone/mount, not by this.</summary>
public sealed class SqliteStateStore : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public SqliteStateStore(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        Exec("""
            CREATE TABLE IF NOT EXISTS sandboxes (
              id TEXT PRIMARY KEY,
              state INTEGER NOT NULL,
              image TEXT NOT NULL,
              hostname TEXT NOT NULL,
              created_ms INTEGER NOT NULL,
              init_pid INTEGER NOT NULL,
              risk TEXT NOT NULL,
              labels TEXT NOT NULL,
              profile TEXT NOT NULL,
              limits TEXT NOT NULL,
              ended_ms INTEGER
            );
            CREATE INDEX IF NOT EXISTS sandboxes_state ON sandboxes(state);
            """);
        // Added after the first release: a state dir from an older daemon gains them with defaults
        // (a state dir from before tenants: its sandboxes were the default tenant's).
        AddColumnIfMissing("tenant", "TEXT NOT NULL DEFAULT 'default'");
        AddColumnIfMissing("state_changed_ms", "INTEGER NOT NULL DEFAULT 0");
        AddColumnIfMissing("state_cause", "TEXT NOT NULL DEFAULT ''");
        AddColumnIfMissing("network", "BLOB NOT NULL DEFAULT x''");
        AddColumnIfMissing("id_range", "INTEGER");
        AddColumnIfMissing("deadline_ms", "INTEGER NOT NULL DEFAULT 0");
        AddColumnIfMissing("idle_ms", "INTEGER NOT NULL DEFAULT 0");
        AddColumnIfMissing("proposal_id", "TEXT NOT NULL DEFAULT ''");
        AddColumnIfMissing("profile_overrides", "TEXT NOT NULL DEFAULT ''");
    }

    private void AddColumnIfMissing(string name, string type)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('sandboxes') WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        if (Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            Exec($"ALTER TABLE sandboxes ADD COLUMN {name} {type}");
    }

    /// <summary>Reads the database once, for the health service: throws when it cannot.</summary>
    public void Ping()
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sandboxes WHERE state = 0";
            command.ExecuteScalar();
        }
    }

    /// <summary>Inserts the record, or replaces the one with its id (a prepared sandbox taken).</summary>
    public void Upsert(SandboxRecord r)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT OR REPLACE INTO sandboxes (id, state, image, hostname, created_ms, init_pid, risk, labels, profile, limits,
                  tenant, state_changed_ms, state_cause, network, id_range, deadline_ms, idle_ms, proposal_id, profile_overrides)
                VALUES ($id, $state, $image, $hostname, $created, $pid, $risk, $labels, $profile, $limits, $tenant, $changed, $cause,
                  $network, $range, $deadline, $idle, $proposal, $overrides)
                """;
            cmd.Parameters.AddWithValue("$id", r.Id);
            cmd.Parameters.AddWithValue("$state", (int)r.State);
            cmd.Parameters.AddWithValue("$image", r.Image);
            cmd.Parameters.AddWithValue("$hostname", r.Hostname);
            cmd.Parameters.AddWithValue("$created", r.CreatedUnixMs);
            cmd.Parameters.AddWithValue("$pid", r.InitPid);
            cmd.Parameters.AddWithValue("$risk", r.Risk);
            cmd.Parameters.AddWithValue("$labels", JsonSerializer.Serialize(r.Labels));
            cmd.Parameters.AddWithValue("$profile", r.Profile);
            cmd.Parameters.AddWithValue("$limits", JsonSerializer.Serialize(r.Limits));
            cmd.Parameters.AddWithValue("$tenant", r.Tenant);
            cmd.Parameters.AddWithValue("$changed", r.StateChangedUnixMs == 0 ? r.CreatedUnixMs : r.StateChangedUnixMs);
            cmd.Parameters.AddWithValue("$cause", r.StateCause);
            cmd.Parameters.AddWithValue("$network", r.Network);
            cmd.Parameters.AddWithValue("$range", r.IdRangeBase is { } range ? (long)range : DBNull.Value);
            cmd.Parameters.AddWithValue("$deadline", r.DeadlineUnixMs);
            cmd.Parameters.AddWithValue("$idle", r.IdleTimeoutMs);
            cmd.Parameters.AddWithValue("$proposal", r.ProposalId);
            cmd.Parameters.AddWithValue("$overrides", r.ProfileOverrides == ProfileOverrides.None ? "" : JsonSerializer.Serialize(r.ProfileOverrides));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The network config and policy a sandbox had when it stopped.</summary>
    public void SetNetwork(string id, byte[] network) => Update("network = $v", id, network);

    /// <summary>A new TTL deadline (unix ms; 0 = none).</summary>
    public void SetDeadline(string id, long deadlineMs) => Update("deadline_ms = $v", id, deadlineMs);

    private void Update(string set, string id, object value)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"UPDATE sandboxes SET {set} WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Records a state change at <paramref name="atMs"/>; a final state (destroyed,
    /// failed) also ends the sandbox's life there.</summary>
    public void SetState(string id, SandboxState state, long atMs, string cause = "")
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = state is SandboxState.Destroyed or SandboxState.Failed
                ? "UPDATE sandboxes SET state = $state, state_changed_ms = $at, state_cause = $cause, ended_ms = $at WHERE id = $id"
                : "UPDATE sandboxes SET state = $state, state_changed_ms = $at, state_cause = $cause WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$state", (int)state);
            cmd.Parameters.AddWithValue("$at", atMs);
            cmd.Parameters.AddWithValue("$cause", cause);
            cmd.ExecuteNonQuery();
        }
    }

    public SandboxRecord? Find(string id) => Query("WHERE id = $id", ("$id", id)).FirstOrDefault();

    /// <summary>Sandboxes that are stopped: no process, their files kept.</summary>
    public IReadOnlyList<SandboxRecord> Stopped() => Query("WHERE state = $stopped", ("$stopped", (int)SandboxState.Stopped));

    /// <summary>Sandboxes a previous daemon left as live: their init died with it.</summary>
    public IReadOnlyList<SandboxRecord> Live() =>
        Query("WHERE state NOT IN ($destroyed, $failed)", ("$destroyed", (int)SandboxState.Destroyed), ("$failed", (int)SandboxState.Failed));

    private List<SandboxRecord> Query(string where, params (string Name, object Value)[] args)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT id, state, image, hostname, created_ms, init_pid, risk, labels, profile, limits, tenant, state_changed_ms, state_cause, network, id_range, deadline_ms, idle_ms, proposal_id, profile_overrides FROM sandboxes {where}";
            foreach (var (name, value) in args)
                cmd.Parameters.AddWithValue(name, value);
            using var reader = cmd.ExecuteReader();
            var list = new List<SandboxRecord>();
            while (reader.Read())
                list.Add(new SandboxRecord(reader.GetString(0), (SandboxState)reader.GetInt32(1), reader.GetString(2),
                    reader.GetString(3), reader.GetInt64(4), reader.GetInt32(5), reader.GetString(6),
                    JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7)) ?? [],
                    reader.GetString(8), JsonSerializer.Deserialize<SandboxLimits>(reader.GetString(9))!,
                    reader.GetInt64(11), reader.GetString(12))
                {
                    Tenant = reader.GetString(10), Network = (byte[])reader.GetValue(13),
                    IdRangeBase = reader.IsDBNull(14) ? null : (uint)reader.GetInt64(14),
                    DeadlineUnixMs = reader.GetInt64(15), IdleTimeoutMs = reader.GetInt64(16), ProposalId = reader.GetString(17),
                    ProfileOverrides = reader.GetString(18) is { Length: > 0 } o ? JsonSerializer.Deserialize<ProfileOverrides>(o)! : ProfileOverrides.None,
                });
            return list;
        }
    }

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
