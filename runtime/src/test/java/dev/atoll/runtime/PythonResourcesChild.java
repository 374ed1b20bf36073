package dev.atoll.runtime;

import java.nio.file.Path;

/** Child JVM of {@link PythonResourcesTest}: runs a Python tool with GraalPy's resources read from args[0]. */
public final class PythonResourcesChild {
    private PythonResourcesChild() {}

    public static void main(String[] args) {
        try (ToolRuntime runtime =
                ToolRuntime.builder().pythonResources(Path.of(args[0])).build()) {
            CallResult r = runtime.run(ToolSource.python("t.py", """
                    import re, json, datetime
                    TOOL = {'name': 't', 'description': 'd', 'inputSchema': {'type': 'object'},
                            'limits': {'cpuMs': 5000, 'wallMs': 20000}}
                    def main(args, env):
                        return json.dumps({'n': len(re.findall(r'\\w+', 'a b c'))})
                    """), "{}");
            System.out.println(r.outcome().kind().name().toLowerCase(java.util.Locale.ROOT));
            System.out.println(r.toJson());
        }
    }
}
