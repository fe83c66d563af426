using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Approval;

/// <summary>Proposals and votes in SQLite (WAL, a real file). A connection per operation and
/// every change in one IMMEDIATE transaction: two daemons' (or threads') votes on one file are
/// serialised by SQLite's write lock, so a quorum is reached, and decided, exactly once.</summary>
public sealed class ProposalStore
{
    private readonly string _connectionString;

    public ProposalStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        using var db = Open();
        Exec(db, null, "PRAGMA journal_mode=WAL;");
        Exec(db, null, """
            CREATE TABLE IF NOT EXISTS proposals (
              id TEXT PRIMARY KEY,
              tenant TEXT NOT NULL,
              level INTEGER NOT NULL,
              spec TEXT NOT NULL,
              spec_hash TEXT NOT NULL,
              findings TEXT NOT NULL,
              proposer_principal TEXT NOT NULL,
              proposer_person TEXT NOT NULL,
              rules TEXT NOT NULL,
              created_ms INTEGER NOT NULL,
              expires_ms INTEGER NOT NULL,
              status INTEGER NOT NULL,
              reason INTEGER NOT NULL,
              decided_ms INTEGER,
              use_until_ms INTEGER,
              used_ms INTEGER
            );
            CREATE INDEX IF NOT EXISTS proposals_status ON proposals(status, expires_ms);
            CREATE TABLE IF NOT EXISTS votes (
              proposal_id TEXT NOT NULL REFERENCES proposals(id),
              principal TEXT NOT NULL,
              person TEXT NOT NULL,
              roles TEXT NOT NULL,
              approve INTEGER NOT NULL,
              reason TEXT NOT NULL,
              at_ms INTEGER NOT NULL,
              PRIMARY KEY (proposal_id, person),
              UNIQUE (proposal_id, principal)
            );
            """);
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction and commits it unless it throws.</summary>
    public T InTransaction<T>(Func<Session, T> work)
    {
        using var db = Open();
        using var transaction = db.BeginTransaction(deferred: false);
        var result = work(new Session(db, transaction));
        transaction.Commit();
        return result;
    }

    public T Read<T>(Func<Session, T> work)
    {
        using var db = Open();
        return work(new Session(db, null));
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection(_connectionString);
        db.Open();
        Exec(db, null, "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;");
        return db;
    }

    private static void Exec(SqliteConnection db, SqliteTransaction? transaction, string sql)
    {
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The reads and writes available inside one connection (and transaction).</summary>
    public sealed class Session(SqliteConnection db, SqliteTransaction? transaction)
    {
        private const string Columns = "id, tenant, level, spec, spec_hash, findings, proposer_principal, proposer_person, rules, " +
            "created_ms, expires_ms, status, reason, decided_ms, use_until_ms, used_ms";

        public void Insert(Proposal p) => Run("""
            INSERT INTO proposals (id, tenant, level, spec, spec_hash, findings, proposer_principal, proposer_person, rules,
              created_ms, expires_ms, status, reason)
            VALUES ($id, $tenant, $level, $spec, $hash, $findings, $principal, $person, $rules, $created, $expires, $status, $reason)
            """, ("$id", p.Id), ("$tenant", p.Tenant), ("$level", (int)p.Level), ("$spec", SpecEncoding.Encode(p.Spec)),
            ("$hash", p.SpecHash), ("$findings", JsonSerializer.Serialize(p.Findings)), ("$principal", p.ProposerPrincipal),
            ("$person", p.ProposerPerson), ("$rules", JsonSerializer.Serialize(p.Rules)), ("$created", Ms(p.CreatedAt)),
            ("$expires", Ms(p.ExpiresAt)), ("$status", (int)p.Status), ("$reason", (int)p.Reason));

        public void Insert(string proposalId, Vote v) => Run("""
            INSERT INTO votes (proposal_id, principal, person, roles, approve, reason, at_ms)
            VALUES ($id, $principal, $person, $roles, $approve, $reason, $at)
            """, ("$id", proposalId), ("$principal", v.Principal), ("$person", v.Person), ("$roles", JsonSerializer.Serialize(v.Roles)),
            ("$approve", v.Approve ? 1 : 0), ("$reason", v.Reason), ("$at", Ms(v.At)));

        public void Decide(string id, ProposalStatus status, DecisionReason reason, DateTimeOffset at, DateTimeOffset? useUntil) => Run(
            "UPDATE proposals SET status = $status, reason = $reason, decided_ms = $at, use_until_ms = $until WHERE id = $id",
            ("$id", id), ("$status", (int)status), ("$reason", (int)reason), ("$at", Ms(at)), ("$until", useUntil is { } u ? Ms(u) : DBNull.Value));

        public void MarkUsed(string id, DateTimeOffset at) => Run(
            "UPDATE proposals SET status = $status, used_ms = $at WHERE id = $id", ("$id", id), ("$status", (int)ProposalStatus.Used), ("$at", Ms(at)));

        public Proposal? Find(string id) => Query("WHERE id = $id", ("$id", id)).FirstOrDefault();

        /// <summary>Oldest first. Null tenant: every tenant; null status: every status.</summary>
        public IReadOnlyList<Proposal> List(string? tenant, ProposalStatus? status) => Query(
            "WHERE ($tenant IS NULL OR tenant = $tenant) AND ($status IS NULL OR status = $status) ORDER BY created_ms, rowid",
            ("$tenant", (object?)tenant ?? DBNull.Value), ("$status", status is { } s ? (int)s : DBNull.Value));

        public IReadOnlyList<string> PendingDue(DateTimeOffset now) => Query(
            "WHERE status = $pending AND expires_ms <= $now", ("$pending", (int)ProposalStatus.Pending), ("$now", Ms(now))).Select(p => p.Id).ToList();

        private List<Proposal> Query(string where, params (string Name, object Value)[] args)
        {
            var rows = new List<Proposal>();
            using (var command = Command($"SELECT {Columns} FROM proposals {where}", args))
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                    rows.Add(new Proposal(reader.GetString(0), reader.GetString(1), (RiskLevel)reader.GetInt32(2),
                        SpecEncoding.Decode(reader.GetString(3)), reader.GetString(4),
                        JsonSerializer.Deserialize<List<RiskFinding>>(reader.GetString(5)) ?? [], reader.GetString(6), reader.GetString(7),
                        JsonSerializer.Deserialize<QuorumRules>(reader.GetString(8))!, At(reader.GetInt64(9)), At(reader.GetInt64(10)),
                        (ProposalStatus)reader.GetInt32(11), (DecisionReason)reader.GetInt32(12), OptionalAt(reader, 13),
                        OptionalAt(reader, 14), OptionalAt(reader, 15), []));
            return rows.Select(p => p with { Votes = Votes(p.Id) }).ToList();
        }

        private List<Vote> Votes(string proposalId)
        {
            using var command = Command("SELECT principal, person, roles, approve, reason, at_ms FROM votes WHERE proposal_id = $id ORDER BY at_ms, rowid",
                ("$id", proposalId));
            using var reader = command.ExecuteReader();
            var votes = new List<Vote>();
            while (reader.Read())
                votes.Add(new Vote(reader.GetString(0), reader.GetString(1), JsonSerializer.Deserialize<List<string>>(reader.GetString(2)) ?? [],
                    reader.GetInt32(3) == 1, reader.GetString(4), At(reader.GetInt64(5))));
            return votes;
        }

        private void Run(string sql, params (string Name, object Value)[] args)
        {
            using var command = Command(sql, args);
            command.ExecuteNonQuery();
        }

        private SqliteCommand Command(string sql, params (string Name, object Value)[] args)
        {
            var command = db.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var (name, value) in args)
                command.Parameters.AddWithValue(name, value);
            return command;
        }

        private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

        private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

        private static DateTimeOffset? OptionalAt(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : At(reader.GetInt64(column));
    }
}
