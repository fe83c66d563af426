namespace Sandboxd.Ctl; public static class Program { public static int Main() => 0; }
