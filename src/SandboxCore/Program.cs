namespace Sandboxd.Core;

public static class Program
{
    public static int Main() => 0;
}
