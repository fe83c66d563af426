using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk;

/// <summary>One named check of a merged request. Null: nothing to say.</summary>
public interface IRiskRule
{
    string Name { get; }

    RiskFinding? Check(RequestSpec spec, RiskPolicy policy);
}
