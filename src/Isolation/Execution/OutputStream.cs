namespace Sandboxd.Isolation.Execution;

public enum OutputStream
{
    Stdout = 1,
    Stderr = 2,
}
