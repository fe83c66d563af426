using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>
/// The audit path: Emit stamps an event, puts it in the hot ring and hands it to a lane; writer
/// tasks make it durable. Emit never blocks and never drops: a full channel sends the event to
/// the spill journal instead (counted in <see cref="AuditPipelineStats.Spilled"/>).
/// <para>Acknowledged: when Emit returns the event is in memory (hot ring, a lane) and lost only if
/// the process dies. When <see cref="FlushAsync"/> returns, every event whose Emit returned before
/// the call is durable — committed to warm (SQLite, synchronous=FULL; first to its staging table,
/// which queries read, then merged into the indexed table in the background) or fsync'd in the
/// journal, which the next start replays into warm.</para>
/// <para>Sensitive events (denials, governance, risk ≥ High) take a priority lane that the writer
/// commits on its own before any normal batch, and are also written through the journal, so they
/// are durable within one fsync even while warm is behind. They also take a cold lane, whose
/// writer seals them into the cold chain at once rather than after retention.</para>
/// <para>With a Redis URL, <see cref="SubscribeTail"/> also shows what other daemons sharing the
/// stream emit; this daemon's own events always come from the hot ring.</para>
/// </summary>
public sealed class AuditPipeline : IAuditSink, IAsyncDisposable
{
    private readonly AuditEventFactory _factory;
    private readonly Lock _emitLock = new();
    private readonly PipelineLane _normal;
    private readonly PipelineLane _sensitive;
    private readonly PipelineLane _spill = PipelineLane.Unbounded();
    private readonly PipelineLane _sensitiveCold;
    private readonly ProgressSignal _progress = new();
    private readonly SpillJournal _journal;
    private readonly IAuditStream? _stream;
    private readonly WarmWriter _writer;
    private readonly WarmMerger _merger;
    private readonly Task _warmTask;
    private readonly Task _journalTask;
    private readonly Task _coldTask;
    private readonly SharedStreamTail? _sharedTail;
    private bool _closed;

    public AuditPipeline(AuditPipelineOptions options, TimeProvider clock, ILoggerFactory? loggers = null, IAuditStream? stream = null)
    {
        var log = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Sandboxd.Audit");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxStaged);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MergeChunk);
        Directory.CreateDirectory(options.Directory);
        _factory = new AuditEventFactory(clock);
        _normal = PipelineLane.Bounded(options.ChannelCapacity);
        _sensitive = PipelineLane.Bounded(options.ChannelCapacity);
        _sensitiveCold = PipelineLane.Bounded(options.ChannelCapacity);
        // An explicit stream wins (tests, custom clients); else a Redis URL opens the shared stream.
        _stream = stream ?? (options.RedisUrl is { } url ? RedisAuditStream.Open(url, options.RedisStreamKey, options.RedisMaxLength) : null);
        Hot = new HotRing(options.HotCapacity, clock);
        Warm = new WarmStore(options.WarmPath);
        _journal = new SpillJournal(options.JournalDirectory);
        // The chain head lives in the warm database, out of reach of whoever edits the segment directory.
        Cold = new ColdStore(options.ColdDirectory, new ColdChainHead(options.WarmPath));
        Migrator = new TierMigrator(Warm, Cold, clock, options.WarmRetention, options.ColdSegmentMaxEvents, log);
        Queries = new AuditQueryService(Hot, _stream, Warm, Cold);
        _merger = new WarmMerger(Warm, Stats, options.MergeChunk, options.MaxStaged / 2, log);
        var writer = _writer = new WarmWriter(Warm, _journal, _normal, _sensitive, _stream, Stats, _progress,
            new WarmWriterLimits(options.MaxBatch, options.MaxStaged), _merger, log);
        var coldWriter = new SensitiveColdWriter(Cold, _sensitiveCold, Stats, _progress, options.MaxBatch, log);
        coldWriter.SealFromJournal(_journal);
        // What a crash left in the journal goes to warm before anything new does.
        int replayed = writer.ApplyJournal();
        if (replayed > 0)
            PipelineLog.Replayed(log, replayed);
        var journalWriter = new JournalWriter(_journal, _spill, Stats, _progress, options.MaxBatch, writer.WakeForJournal);
        _merger.Start();
        _warmTask = Task.Run(writer.RunAsync);
        _journalTask = Task.Run(journalWriter.RunAsync);
        _coldTask = Task.Run(coldWriter.RunAsync);
        if (_stream is not null)
        {
            _sharedTail = new SharedStreamTail(Hot.Tail, _stream, e =>
            {
                Interlocked.Increment(ref Stats.HotTailOutagesCount);
                PipelineLog.StreamTailFailed(log, e);
            }, () => PipelineLog.StreamTailResumed(log));
        }
        if (options.MigrationInterval > TimeSpan.Zero)
            Migrator.Start(options.MigrationInterval);
    }

    public AuditPipelineStats Stats { get; } = new();

    public HotRing Hot { get; }

    public WarmStore Warm { get; }

    public ColdStore Cold { get; }

    public TierMigrator Migrator { get; }

    public AuditQueryService Queries { get; }

    public IAuditStream? Stream => _stream;

    /// <summary>Events each lane holds that are not durable yet (in it or in its writer's batch).</summary>
    public AuditQueueDepth QueueDepth() => new(Waiting(_normal), Waiting(_sensitive), Waiting(_spill), Waiting(_sensitiveCold));

    private static long Waiting(PipelineLane lane) => Math.Max(0, lane.Enqueued - lane.Persisted);

    /// <summary>Searches hot, warm and cold at once; see <see cref="AuditQueryService"/>.</summary>
    public AuditQueryResult Query(AuditQuery query) => Queries.Query(query);

    /// <summary>A live tail from now on: this daemon's matching events and, with a shared stream,
    /// those of every other daemon on it. Dispose to stop.</summary>
    public HotTailSubscription SubscribeTail(Func<AuditEvent, bool> filter) =>
        _sharedTail?.Subscribe(filter) ?? Hot.Tail.Subscribe(filter);

    public void Emit(AuditKind kind, string? sandboxId, string? executionId, IReadOnlyDictionary<string, string>? attributes = null) =>
        Emit(kind, AuditCorrelation.None, sandboxId, executionId, attributes);

    public void Emit(AuditKind kind, AuditCorrelation correlation, string? sandboxId, string? executionId,
        IReadOnlyDictionary<string, string>? attributes = null, AuditRisk risk = AuditRisk.None) =>
        Emit(_factory.Create(kind, correlation, sandboxId, executionId, attributes, risk));

    /// <summary>Ingests an event stamped elsewhere (kept as it is; its Id must be unique).</summary>
    public void Emit(AuditEvent ev)
    {
        Interlocked.Increment(ref Stats.EmittedCount);
        Hot.Append(ev);
        bool sensitive = AuditKinds.IsSensitive(ev);
        // The lock makes each lane's order equal its counter order, which FlushAsync relies on;
        // it is held for a TryWrite, never for I/O.
        lock (_emitLock)
        {
            if (sensitive)
            {
                Interlocked.Increment(ref Stats.SensitiveCount);
                if (!_sensitiveCold.TryWrite(ev))
                    Interlocked.Increment(ref Stats.ColdDeferredCount); // warm has it; migration seals it later
            }
            var lane = sensitive ? _sensitive : _normal;
            if (lane.TryWrite(ev))
            {
                if (sensitive)
                    _spill.TryWrite(ev); // the write-through copy
                return;
            }
            if (_spill.TryWrite(ev))
            {
                Interlocked.Increment(ref Stats.SpilledCount);
                return;
            }
        }
        // Only after DisposeAsync: nothing is running, so write the journal here; the next start replays it.
        _journal.Append([ev]);
        Interlocked.Increment(ref Stats.SpilledCount);
    }

    /// <summary>Returns when every event emitted before the call is durable (warm or journal), and
    /// every sensitive one has been sealed into cold (or, if that failed, counted as deferred).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long normal, sensitive, spill, cold;
        lock (_emitLock)
            (normal, sensitive, spill, cold) = (_normal.Enqueued, _sensitive.Enqueued, _spill.Enqueued, _sensitiveCold.Enqueued);
        while (true)
        {
            var pulse = _progress.Current;
            if (_normal.Persisted >= normal && _sensitive.Persisted >= sensitive && _spill.Persisted >= spill
                && _sensitiveCold.Persisted >= cold)
                return;
            if (_warmTask.IsCompleted || _journalTask.IsCompleted || _coldTask.IsCompleted)
            {
                // A writer that stopped before reaching the target can only have faulted.
                await Task.WhenAll(_warmTask, _journalTask, _coldTask).ConfigureAwait(false);
                throw new InvalidOperationException("audit writers stopped before the flush target was durable");
            }
            await pulse.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drains every lane, applies the journal to warm and closes the stores. Rows still
    /// staged stay staged (durable, queryable); the next start's merger indexes them.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_emitLock)
        {
            if (_closed)
                return;
            _closed = true;
            Migrator.Dispose();
            _normal.Complete();
            _sensitive.Complete();
            _spill.Complete();
            _sensitiveCold.Complete();
        }
        _sharedTail?.Dispose();
        await Task.WhenAll(_warmTask, _journalTask, _coldTask).ConfigureAwait(false);
        _writer.ApplyJournal(); // what spilled after the writer's last round
        await _merger.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        _journal.Dispose();
        _stream?.Dispose();
        Warm.Dispose();
    }
}
