using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>Four sealed segments, then one kind of damage each: Verify names the first bad segment.</summary>
public sealed class AuditColdVerifyTests : IDisposable
{
    private readonly TempRoot _root = new();
    private readonly ColdStore _cold;

    public AuditColdVerifyTests()
    {
        _cold = new ColdStore(Path.Combine(_root.Path, "cold"));
        var factory = new AuditEventFactory(TimeProvider.System);
        for (int s = 0; s < 4; s++)
            _cold.Seal([.. Enumerable.Range(0, 50).Select(i => factory.Create(AuditKind.SyscallExec, new AuditCorrelation("t"),
                "sb-" + s, "ex", AuditTestPipelines.Numbered(s * 50 + i, "argv", "/usr/bin/python3 -c pass"), AuditRisk.None))]);
    }

    public void Dispose() => _root.Dispose();

    private string FileOf(int number) => Path.Combine(_root.Path, "cold", _cold.Segments[number - 1].File);

    /// <summary>Rewrites the index as an attacker would, then verifies from a fresh open.</summary>
    private ColdVerifyResult VerifyAfterIndexEdit(Action<List<string>> edit)
    {
        string index = Path.Combine(_root.Path, "cold", "index.jsonl");
        var lines = File.ReadAllLines(index).ToList();
        edit(lines);
        File.WriteAllLines(index, lines);
        return new ColdStore(Path.Combine(_root.Path, "cold")).Verify();
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
        Assert.Equal(ColdVerifyResult.Good(4), _cold.Verify());
        var reopened = new ColdStore(Path.Combine(_root.Path, "cold"));
        Assert.True(reopened.Verify().Ok);
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
}
