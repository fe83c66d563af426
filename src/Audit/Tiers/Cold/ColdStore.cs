using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Query;

namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>The cold tier: immutable Brotli-compressed tar segments plus index.jsonl, one line per
/// segment, each chained to the one before by hash. Segments are written to a temp name, fsync'd
/// and renamed, and only then indexed, so a crash never leaves an index line without its file.
/// <para>With a <see cref="ColdChainHead"/>, each seal also records the newest segment outside this
/// directory, so Verify notices the newest segments removed together with their index lines.
/// A store that had segments before it had a head adopts its current end on open.</para></summary>
public sealed class ColdStore
{
    private const string IndexName = "index.jsonl";
    private static readonly string Genesis = new('0', 64);
    private readonly string _dir;
    private readonly ColdChainHead? _head;
    private readonly Lock _lock = new();
    private readonly List<ColdSegmentInfo> _segments = [];
    private long _headErrors;

    public ColdStore(string dir, ColdChainHead? head = null)
    {
        _dir = dir;
        _head = head;
        Directory.CreateDirectory(dir);
        _segments.AddRange(ReadIndex());
        if (head is not null && _segments is [.., var newest] && head.Read() is null)
            head.Advance(newest.Number, newest.Chain);
    }

    /// <summary>Seals whose chain head could not be recorded (see <see cref="AdvanceHead"/>).</summary>
    public long HeadErrors => Interlocked.Read(ref _headErrors);

    public IReadOnlyList<ColdSegmentInfo> Segments
    {
        get
        {
            lock (_lock)
                return [.. _segments];
        }
    }

    /// <summary>Writes the events (any order; stored oldest first) as the next segment.
    /// <paramref name="sensitive"/> marks a segment sealed at once from the sensitive lane, ahead of
    /// retention; the migrator later leaves its events out of the segment it seals.</summary>
    public ColdSegmentInfo Seal(IReadOnlyList<AuditEvent> events, bool sensitive = false)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var ordered = events.OrderBy(e => e.Time.UtcTicks).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        lock (_lock)
        {
            long number = _segments.Count == 0 ? 1 : _segments[^1].Number + 1;
            string prev = _segments.Count == 0 ? Genesis : _segments[^1].Chain;
            byte[] bytes = ColdSegmentFile.Build(number, prev, ordered);
            string name = SegmentFileName(number);
            WriteDurably(Path.Combine(_dir, name), bytes);
            var info = new ColdSegmentInfo(number, name, ordered[0].Time.UtcTicks, ordered[^1].Time.UtcTicks, ordered.Count,
                Distinct(ordered.Select(e => e.SandboxId)), Distinct(ordered.Select(e => e.Tenant)),
                Convert.ToHexStringLower(SHA256.HashData(bytes)), prev, ChainHash(bytes, prev), sensitive);
            using (var index = new FileStream(Path.Combine(_dir, IndexName), FileMode.Append, FileAccess.Write))
            {
                index.Write(JsonSerializer.SerializeToUtf8Bytes(info));
                index.WriteByte((byte)'\n');
                index.Flush(flushToDisk: true);
            }
            _segments.Add(info);
            AdvanceHead(info);
            return info;
        }
    }

    public List<AuditEvent> Read(ColdSegmentInfo segment) =>
        ColdSegmentFile.ReadEvents(File.ReadAllBytes(Path.Combine(_dir, segment.File)));

    /// <summary>Newest first. The index rules segments out by time, sandbox and tenant before any is
    /// opened. An event in two segments (sealed at once as sensitive, then again by a migration that
    /// crashed before it could leave it out) counts once.</summary>
    public List<AuditEvent> Query(AuditQuery q, string? tenant, PageCursor? before, int limit)
    {
        var found = new Dictionary<string, AuditEvent>(StringComparer.Ordinal);
        foreach (var segment in Segments.OrderByDescending(s => s.LastTicks))
        {
            if (!MayHold(segment, q, tenant, before))
                continue;
            // Enough already, and everything here is older than the oldest we would keep.
            if (found.Count >= limit && segment.LastTicks < found.Values.Min(e => e.Time.UtcTicks))
                break;
            foreach (var ev in Read(segment).Where(ev => AuditQueryMatcher.Matches(q, tenant, before, ev)))
                found.TryAdd(ev.Id, ev);
        }
        return [.. found.Values.OrderByDescending(e => e.Time.UtcTicks).ThenByDescending(e => e.Id, StringComparer.Ordinal).Take(limit)];
    }

    /// <summary>The ids of <paramref name="batch"/> that a sensitive segment already holds: what the
    /// migrator must not seal a second time. Only sensitive segments overlapping the batch's time
    /// range are opened, and only when the batch has a sensitive event at all.</summary>
    public HashSet<string> SealedAsSensitive(IReadOnlyList<AuditEvent> batch)
    {
        var sealedIds = new HashSet<string>(StringComparer.Ordinal);
        var wanted = batch.Where(AuditKinds.IsSensitive).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0)
            return sealedIds;
        long first = batch.Min(e => e.Time.UtcTicks), last = batch.Max(e => e.Time.UtcTicks);
        foreach (var segment in Segments.Where(s => s.Sensitive && s.LastTicks >= first && s.FirstTicks <= last))
            sealedIds.UnionWith(TryRead(segment).Select(e => e.Id).Where(wanted.Contains));
        return sealedIds;
    }

    /// <summary>A segment that is gone or does not decode holds nothing here: its events get sealed
    /// again rather than lost, and one damaged file cannot stall migration or startup (Verify names it).</summary>
    private List<AuditEvent> TryRead(ColdSegmentInfo segment)
    {
        try
        {
            return Read(segment);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or FormatException or JsonException)
        {
            return [];
        }
    }

    /// <summary>Walks the chain from the first segment and names the first one that is missing,
    /// altered, out of place, or whose index line no longer links to the one before; then checks
    /// that the chain reaches the recorded head (when there is one). Reads the index from disk, not
    /// the copy loaded at open: what is verified is what a restart would load.</summary>
    public ColdVerifyResult Verify()
    {
        List<ColdSegmentInfo> segments;
        try
        {
            lock (_lock) // a seal appends to the index under this lock: no half-written last line
                segments = ReadIndex();
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return new(0, null, IndexName, $"tampered: the index does not parse ({e.Message})");
        }
        (long Number, string Chain)? head;
        try
        {
            head = _head?.Read();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return new(segments.Count, null, null, $"the chain head cannot be read, so removal of the newest segments would go unseen: {e.Message}");
        }
        return Walk(segments, head) with { Head = head?.Number };
    }

    private ColdVerifyResult Walk(List<ColdSegmentInfo> segments, (long Number, string Chain)? head)
    {
        var byContent = segments.GroupBy(s => s.Sha256).ToDictionary(g => g.Key, g => g.First().Number);
        string prev = Genesis;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            ColdVerifyResult Bad(string reason) => new(i, s.Number, s.File, reason);
            long expectedNumber = i == 0 ? s.Number : segments[i - 1].Number + 1;
            if (s.Number != expectedNumber || s.Prev != prev)
                return Bad($"chain broken: segment {s.Number} does not link to the segment before it (removed or reordered in the index)");
            string path = Path.Combine(_dir, s.File);
            if (!File.Exists(path))
                return Bad($"segment file {s.File} is missing");
            byte[] bytes = File.ReadAllBytes(path);
            string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (sha != s.Sha256)
            {
                if (byContent.TryGetValue(sha, out long other))
                    return Bad($"reordered: {s.File} holds the bytes of segment {other}");
                return Bad($"tampered: {s.File} does not hash to its index entry");
            }
            if (ChainHash(bytes, prev) != s.Chain)
                return Bad("tampered: chain hash in the index does not match");
            if (ColdSegmentFile.ReadNumber(bytes) != s.Number)
                return Bad($"reordered: {s.File} says it is another segment");
            prev = s.Chain;
        }
        if (head is { } recorded && CheckHead(segments, recorded) is { } cut)
            return cut;
        var indexed = segments.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        string? stray = Directory.GetFiles(_dir, "seg-*.tar.br").Select(Path.GetFileName).FirstOrDefault(f => !indexed.Contains(f!));
        return stray is null
            ? ColdVerifyResult.Good(segments.Count)
            : new(segments.Count, null, stray, $"segment file {stray} is not in the index");
    }

    /// <summary>The chain ends where the head says it does: not before (the newest segments were
    /// removed with their index lines) and not on a different segment (the chain was rebuilt).</summary>
    private static ColdVerifyResult? CheckHead(List<ColdSegmentInfo> segments, (long Number, string Chain) head)
    {
        long last = segments.Count == 0 ? 0 : segments[^1].Number;
        if (last < head.Number)
        {
            string range = last + 1 == head.Number ? $"segment {head.Number} is" : $"segments {last + 1}-{head.Number} are";
            return new(segments.Count, last + 1, SegmentFileName(last + 1),
                $"removed: {range} missing from the index and the directory; the chain head says the chain ends at segment {head.Number}");
        }
        var atHead = segments.FirstOrDefault(s => s.Number == head.Number);
        if (atHead is not null && atHead.Chain == head.Chain)
            return null;
        return new(segments.Count, head.Number, atHead?.File ?? SegmentFileName(head.Number),
            $"replaced: segment {head.Number} is not the segment the chain head recorded (the chain was rebuilt)");
    }

    /// <summary>After the index line: a crash between the two leaves the head one behind, which Verify
    /// accepts (segments past the head are still chain-checked); the reverse would not be. For the
    /// same reason a head that cannot be written (the database busy or failing) does not fail the
    /// seal, which is done: the caller would seal the events again. The next seal moves the head to
    /// the newest segment, and until then Verify reports the head it has.</summary>
    private void AdvanceHead(ColdSegmentInfo newest)
    {
        try
        {
            _head?.Advance(newest.Number, newest.Chain);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            Interlocked.Increment(ref _headErrors);
        }
    }

    private List<ColdSegmentInfo> ReadIndex()
    {
        string index = Path.Combine(_dir, IndexName);
        if (!File.Exists(index))
            return [];
        return [.. File.ReadLines(index).Where(l => l.Length > 0)
            .Select(line => JsonSerializer.Deserialize<ColdSegmentInfo>(line) ?? throw new InvalidDataException("empty cold index line"))];
    }

    private static string SegmentFileName(long number) => "seg-" + number.ToString("D10", CultureInfo.InvariantCulture) + ".tar.br";

    private static bool MayHold(ColdSegmentInfo s, AuditQuery q, string? tenant, PageCursor? before) =>
        !(q.From is { } from && s.LastTicks < from.UtcTicks)
        && !(q.To is { } to && s.FirstTicks >= to.UtcTicks)
        && !(before is { } cursor && s.FirstTicks > cursor.TimeTicks)
        && (q.SandboxId is null || s.SandboxIds.Contains(q.SandboxId))
        && (tenant is null || s.Tenants.Contains(tenant));

    private static string ChainHash(byte[] bytes, string prevHex)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(bytes);
        sha.AppendData(Convert.FromHexString(prevHex));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string[] Distinct(IEnumerable<string?> values) =>
        [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static void WriteDurably(string path, byte[] bytes)
    {
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: false);
    }
}
