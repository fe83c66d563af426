using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>Four sealed segments, then one kind of damage each: Verify names the first bad segment.
/// The chain head sits in a SQLite file beside (not inside) the segment directory, as the pipeline's does.</summary>
public sealed class AuditColdVerifyTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly ColdStore _cold;

    public AuditColdVerifyTests()
    {
        _cold = new ColdStore(ColdDir, Head());
        SealSegments(_cold, 4);
    }

    public void Dispose() => _root.Dispose();

    private string ColdDir => Path.Combine(_root.Path, "cold");

    private ColdChainHead Head() => new(Path.Combine(_root.Path, "audit.db"));

    private static void SealSegments(ColdStore cold, int count)
    {
        var factory = new AuditEventFactory(TimeProvider.System);
        for (int s = 0; s < count; s++)
            cold.Seal([.. Enumerable.Range(0, 50).Select(i => factory.Create(AuditKind.SyscallExec, new AuditCorrelation("t"),
                "sb-" + s, "ex", AuditTestPipelines.Numbered(s * 50 + i, "argv", "/usr/bin/python3 -c pass"), AuditRisk.None))]);
    }

    private string FileOf(int number) => Path.Combine(ColdDir, _cold.Segments[number - 1].File);

    /// <summary>Rewrites the index as an attacker would, then verifies from a fresh open.</summary>
    private ColdVerifyResult VerifyAfterIndexEdit(Action<List<string>> edit)
    {
        string index = Path.Combine(ColdDir, "index.jsonl");
        var lines = File.ReadAllLines(index).ToList();
        edit(lines);
        File.WriteAllLines(index, lines);
        return new ColdStore(ColdDir, Head()).Verify();
    }

    private static void AssertBad(ColdVerifyResult result, long segment, string reason)
    {
        Assert.False(result.Ok);
        Assert.Equal(segment, result.BadSegment);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untouched_chain_verifies_and_reopens()
    {
        Assert.Equal(ColdVerifyResult.Good(4) with { Head = 4 }, _cold.Verify());
        var reopened = new ColdStore(ColdDir, Head());
        Assert.Equal(4, reopened.Verify().Head);
        Assert.Equal(50, reopened.Read(reopened.Segments[2]).Count);
    }

    [Fact]
    public void A_flipped_byte_is_caught_as_tampering()
    {
        byte[] bytes = File.ReadAllBytes(FileOf(2));
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(FileOf(2), bytes);
        AssertBad(_cold.Verify(), 2, "tampered");
    }

    [Fact]
    public void A_removed_segment_file_is_caught()
    {
        File.Delete(FileOf(3));
        AssertBad(_cold.Verify(), 3, "missing");
    }

    [Fact]
    public void A_segment_removed_with_its_index_line_breaks_the_chain()
    {
        File.Delete(FileOf(2));
        AssertBad(VerifyAfterIndexEdit(lines => lines.RemoveAt(1)), 3, "chain broken");
    }

    [Fact]
    public void Swapped_segment_files_are_caught_as_reordered()
    {
        string a = FileOf(2), b = FileOf(3), temp = a + ".swap";
        File.Move(a, temp);
        File.Move(b, a);
        File.Move(temp, b);
        AssertBad(_cold.Verify(), 2, "reordered");
    }

    [Fact]
    public void Swapped_index_lines_are_caught_as_a_broken_chain()
    {
        AssertBad(VerifyAfterIndexEdit(lines => (lines[1], lines[2]) = (lines[2], lines[1])), 3, "chain broken");
    }

    [Fact]
    public void The_oldest_segment_removed_with_its_index_line_breaks_the_chain()
    {
        File.Delete(FileOf(1));
        AssertBad(VerifyAfterIndexEdit(lines => lines.RemoveAt(0)), 2, "chain broken");
    }

    [Fact]
    public void The_newest_segment_removed_with_its_index_line_is_caught_by_the_head()
    {
        string newest = _cold.Segments[3].File;
        File.Delete(FileOf(4));
        var result = VerifyAfterIndexEdit(lines => lines.RemoveAt(3));
        AssertBad(result, 4, "removed: segment 4 is missing");
        Assert.Equal(newest, result.File);
        AssertBad(_cold.Verify(), 4, "removed"); // the running store reads the index from disk too
        // The chain that is left links up by itself: without the head nothing would notice.
        Assert.True(new ColdStore(ColdDir).Verify().Ok);
    }

    [Fact]
    public void Every_segment_removed_with_the_whole_index_is_caught_by_the_head()
    {
        foreach (string file in Directory.GetFiles(ColdDir))
            File.Delete(file);
        AssertBad(new ColdStore(ColdDir, Head()).Verify(), 1, "segments 1-4 are missing");
    }

    [Fact]
    public void A_chain_rebuilt_from_scratch_is_caught_as_replaced()
    {
        foreach (string file in Directory.GetFiles(ColdDir))
            File.Delete(file);
        SealSegments(new ColdStore(ColdDir), 4); // same length, valid links, different content
        AssertBad(new ColdStore(ColdDir, Head()).Verify(), 4, "replaced");
    }

    [Fact]
    public void A_segment_sealed_after_the_head_was_last_written_still_verifies()
    {
        // The crash window between the index line and the head write leaves the head one behind.
        SealSegments(new ColdStore(ColdDir), 1);
        var result = new ColdStore(ColdDir, Head()).Verify();
        Assert.True(result.Ok, result.Reason);
        Assert.Equal((5, 4L), (result.SegmentsChecked, result.Head));
    }

    [Fact]
    public void A_store_without_a_head_adopts_its_end_on_first_open_and_is_then_protected()
    {
        using var other = new TempRoot();
        string dir = Path.Combine(other.Path, "cold");
        SealSegments(new ColdStore(dir), 3);
        var head = new ColdChainHead(Path.Combine(other.Path, "audit.db"));
        Assert.Null(head.Read());
        var adopted = new ColdStore(dir, head);
        Assert.Equal(3, head.Read()?.Number);
        File.Delete(Path.Combine(dir, adopted.Segments[2].File));
        var index = Path.Combine(dir, "index.jsonl");
        File.WriteAllLines(index, File.ReadAllLines(index).Take(2));
        AssertBad(new ColdStore(dir, head).Verify(), 3, "removed");
    }

    [Fact]
    public void An_index_that_does_not_parse_is_reported_not_thrown()
    {
        string index = Path.Combine(ColdDir, "index.jsonl");
        var lines = File.ReadAllLines(index);
        lines[1] = lines[1][..20];
        File.WriteAllLines(index, lines);
        var result = _cold.Verify(); // a store opened now would refuse to load the index at all
        Assert.False(result.Ok);
        Assert.Equal("index.jsonl", result.File);
        Assert.Contains("does not parse", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_head_that_cannot_be_written_does_not_fail_the_seal_and_verify_says_so()
    {
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_root.Path, "audit.db")))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE cold_head";
            drop.ExecuteNonQuery();
        }
        SealSegments(_cold, 1); // sealed: failing it would make the caller seal the events twice
        Assert.Equal((5, 1L), (_cold.Segments.Count, _cold.HeadErrors));
        var result = _cold.Verify();
        Assert.False(result.Ok);
        Assert.Contains("chain head cannot be read", result.Reason, StringComparison.Ordinal);
    }
}
