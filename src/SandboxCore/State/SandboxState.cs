namespace Sandboxd.Core.State;

/// <summary>Where a sandbox is in its life. Persisted by number (the store's <c>state</c> column):
/// the numbers are those a state dir already holds, frozen; only add. They equal the API's
/// <c>SANDBOX_STATE_*</c> numbers, which the API mapping relies on and a golden test checks.</summary>
public enum SandboxState
{
    Unspecified = 0,
    Creating = 1,
    Running = 2,
    Destroyed = 3,
    /// <summary>The error state: the state cause says why. Destroy always works from here.</summary>
    Failed = 4,
    Paused = 5,
    Stopping = 6,
    Stopped = 7,
    Resuming = 8,
    Destroying = 9,
    /// <summary>Only on a create's answer: no sandbox exists yet, a proposal waits for votes.</summary>
    PendingApproval = 10,
}
