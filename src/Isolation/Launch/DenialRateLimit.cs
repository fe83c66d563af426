namespace Sandboxd.Isolation.Launch;

/// <summary>Keeps one execution's denied calls from flooding the audit record: the first
/// <see cref="RecordedPerSyscall"/> of each syscall (and <see cref="RecordedPerExecution"/> in
/// all) are recorded one by one, later ones are counted and recorded as "suppressed N" at most
/// once per <see cref="SummaryInterval"/> per syscall, and whatever is left when the command ends.
/// The per-execution cap matters because a program may call thousands of distinct unknown numbers.
/// Memory is fixed: numbers outside the table share one slot. Not thread-safe: one listener
/// thread owns it.</summary>
public sealed class DenialRateLimit(TimeProvider clock)
{
    public const int RecordedPerSyscall = 100;
    public const int RecordedPerExecution = 1000;
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Numbers at or above this share one slot (x86_64 ends near 470).</summary>
    public const int SlotCount = 1024;

    private readonly Slot[] _slots = new Slot[SlotCount + 1];
    private int _recorded;

    /// <summary>The slot a number counts in; <see cref="SlotCount"/> for any out-of-range number.</summary>
    public static int SlotOf(int nr) => nr is >= 0 and < SlotCount ? nr : SlotCount;

    public DenialAdmission Admit(int nr, int errno)
    {
        ref var slot = ref _slots[SlotOf(nr)];
        slot.Errno = errno;
        if (slot.Recorded < RecordedPerSyscall && _recorded < RecordedPerExecution)
        {
            slot.Recorded++;
            _recorded++;
            return DenialAdmission.Record;
        }

        slot.Suppressed++;
        var now = clock.GetUtcNow().UtcTicks;
        if (!slot.Timing)
        {
            // The first suppressed call starts the interval; its count goes out with a later summary.
            slot.Timing = true;
            slot.LastSummary = now;
            return DenialAdmission.Suppress;
        }

        if (now - slot.LastSummary < SummaryInterval.Ticks)
            return DenialAdmission.Suppress;
        slot.LastSummary = now;
        return DenialAdmission.Summarize;
    }

    /// <summary>The calls counted in <paramref name="nr"/>'s slot since its last summary, and the
    /// errno the last of them got; resets the count.</summary>
    public (long Count, int Errno) TakeSuppressed(int nr)
    {
        ref var slot = ref _slots[SlotOf(nr)];
        var count = slot.Suppressed;
        slot.Suppressed = 0;
        return (count, slot.Errno);
    }

    /// <summary>Every slot with uncounted suppressed calls (slot = nr, or <see cref="SlotCount"/>),
    /// for the last summaries when the command ends.</summary>
    public IEnumerable<(int Slot, long Count, int Errno)> TakeAllSuppressed()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            var (count, errno) = TakeSuppressed(i);
            if (count > 0)
                yield return (i, count, errno);
        }
    }

    private struct Slot
    {
        public int Recorded;
        public long Suppressed;
        public long LastSummary;
        public bool Timing;
        public int Errno;
    }
}
