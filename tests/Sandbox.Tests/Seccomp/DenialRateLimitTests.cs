using Sandboxd.Isolation.Launch;
using Sandboxd.Tests.Audit;
using Xunit;

namespace Sandboxd.Tests.Seccomp;

public sealed class DenialRateLimitTests
{
    private const int Unshare = 272;
    private const int Mount = 165;
    private const int Eperm = 1;

    private readonly ManualClock _clock = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void TheFirstCallsOfASyscallAreRecordedThenCountedAndSummarizedPeriodically()
    {
        var limit = new DenialRateLimit(_clock);

        for (var i = 0; i < DenialRateLimit.RecordedPerSyscall; i++)
            Assert.Equal(DenialAdmission.Record, limit.Admit(Unshare, Eperm));
        Assert.Equal(DenialAdmission.Suppress, limit.Admit(Unshare, Eperm));
        Assert.Equal(DenialAdmission.Suppress, limit.Admit(Unshare, Eperm));
        // Another syscall has its own allowance.
        Assert.Equal(DenialAdmission.Record, limit.Admit(Mount, Eperm));

        _clock.Advance(DenialRateLimit.SummaryInterval);
        Assert.Equal(DenialAdmission.Summarize, limit.Admit(Unshare, Eperm));
        Assert.Equal((3L, Eperm), limit.TakeSuppressed(Unshare));
        Assert.Equal(DenialAdmission.Suppress, limit.Admit(Unshare, Eperm));

        Assert.Equal([(Unshare, 1L, Eperm)], limit.TakeAllSuppressed().ToList());
        Assert.Empty(limit.TakeAllSuppressed());
    }

    [Fact]
    public void AnExecutionRecordsAtMostItsCapAcrossSyscalls()
    {
        var limit = new DenialRateLimit(_clock);
        var recorded = 0;

        for (var nr = 0; nr < DenialRateLimit.SlotCount; nr++)
            for (var i = 0; i < 5; i++)
                recorded += limit.Admit(nr, Eperm) == DenialAdmission.Record ? 1 : 0;

        Assert.Equal(DenialRateLimit.RecordedPerExecution, recorded);
        Assert.Equal(5 * DenialRateLimit.SlotCount - recorded, limit.TakeAllSuppressed().Sum(s => s.Count));
    }

    [Fact]
    public void NumbersOutsideTheTableShareOneSlot()
    {
        var limit = new DenialRateLimit(_clock);
        var recorded = 0;

        foreach (var nr in new[] { -1, DenialRateLimit.SlotCount, 5000, int.MaxValue })
            for (var i = 0; i < DenialRateLimit.RecordedPerSyscall; i++)
                recorded += limit.Admit(nr, 38) == DenialAdmission.Record ? 1 : 0;

        Assert.Equal(DenialRateLimit.RecordedPerSyscall, recorded);
        Assert.Equal([(DenialRateLimit.SlotCount, 3L * DenialRateLimit.RecordedPerSyscall, 38)], limit.TakeAllSuppressed().ToList());
    }
}
