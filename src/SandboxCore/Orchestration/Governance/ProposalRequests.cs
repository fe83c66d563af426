using Microsoft.Data.Sqlite;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>Beside each proposal, the create request it came from (what the approval creates,
/// with the fields risk does not judge: hostname, labels, pids, cpus, disk, the rest of the
/// egress policy) and what became of it: the sandbox's id or the error of its create. Same
/// SQLite file as the proposals, so both survive a restart together.</summary>
public sealed class ProposalRequests
{
    private readonly string _connectionString;

    public ProposalRequests(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS proposal_requests (
              proposal_id TEXT PRIMARY KEY,
              request BLOB NOT NULL,
              sandbox_id TEXT,
              create_error TEXT
            );
            """;
        command.ExecuteNonQuery();
    }

    public void Save(string proposalId, byte[] request) =>
        Run("INSERT INTO proposal_requests (proposal_id, request) VALUES ($id, $request)", ("$id", proposalId), ("$request", request));

    public void Created(string proposalId, string sandboxId) =>
        Run("UPDATE proposal_requests SET sandbox_id = $sandbox WHERE proposal_id = $id", ("$id", proposalId), ("$sandbox", sandboxId));

    public void Failed(string proposalId, string error) =>
        Run("UPDATE proposal_requests SET create_error = $error WHERE proposal_id = $id", ("$id", proposalId), ("$error", error));

    public Outcome? Find(string proposalId)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT request, sandbox_id, create_error FROM proposal_requests WHERE proposal_id = $id";
        command.Parameters.AddWithValue("$id", proposalId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
            return null;
        return new Outcome((byte[])reader[0], reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    private void Run(string sql, params (string Name, object Value)[] args)
    {
        using var db = Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
            command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var db = new SqliteConnection(_connectionString);
        db.Open();
        using var pragma = db.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=30000;";
        pragma.ExecuteNonQuery();
        return db;
    }

    /// <param name="Request">The CreateRequest's protobuf bytes.</param>
    public sealed record Outcome(byte[] Request, string? SandboxId, string? CreateError);
}
