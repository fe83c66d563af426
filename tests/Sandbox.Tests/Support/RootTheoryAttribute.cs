using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary><see cref="RootFactAttribute"/> for a theory.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute() => Skip = RootFactAttribute.SkipUnlessRoot;
}
