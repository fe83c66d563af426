using Sandboxd.Isolation.Interop;
using Xunit;

namespace Sandboxd.Tests.Isolation;

public sealed class NativeAbiTests
{
    [Fact]
    public void The_managed_mirrors_have_the_sizes_of_native_sbx_h() =>
        Assert.Null(NativeAbi.SizeMismatch());
}
