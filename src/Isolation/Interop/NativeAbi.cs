namespace Sandboxd.Isolation.Interop;

/// <summary>The structs the daemon passes to libsbxnative by pointer, checked against the sizes
/// the library was compiled with: a field added on one side only would otherwise shift every
/// field after it and be read as garbage (a wrong mount flag, a wrong fd) instead of failing.</summary>
public static class NativeAbi
{
    /// <summary>Null when every mirror matches native/sbx.h as libsbxnative was built; else which differ.</summary>
    public static unsafe string? SizeMismatch()
    {
        (string Name, int Managed)[] mine =
        [
            ("sbx_op", sizeof(Native.SbxOp)),
            ("sbx_spawn_args", sizeof(Native.SbxSpawnArgs)),
            ("sbx_spawn_result", sizeof(Native.SbxSpawnResult)),
            ("sbx_file_stat", sizeof(Native.SbxFileStat)),
            ("sbx_egress_budget", sizeof(Native.SbxEgressBudget)),
            ("sbx_relay_result", sizeof(Native.SbxRelayResult)),
        ];
        uint* native = stackalloc uint[mine.Length];
        Native.AbiStructSizes(native);
        var wrong = mine.Select((m, i) => (m.Name, m.Managed, Native: native[i])).Where(m => m.Managed != m.Native)
            .Select(m => $"{m.Name}: {m.Managed} here, {m.Native} in sbx.h").ToList();
        return wrong.Count == 0 ? null : "native struct mirror out of date (" + string.Join("; ", wrong) + ")";
    }
}
