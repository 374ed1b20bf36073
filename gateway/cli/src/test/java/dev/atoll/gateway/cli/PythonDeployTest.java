package dev.atoll.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A Python tool end to end: deploy the .py file through the admin API, approve it, call it over MCP HTTP. */
class PythonDeployTest extends CliFixture {

    @Test
    void deployApproveAndCallAPythonTool() throws Exception {
        Path file = dir.resolve("shout.py");
        Files.writeString(file, """
                TOOL = {
                    'name': 'shout',
                    'description': 'Upper-cases a text',
                    'inputSchema': {'type': 'object', 'properties': {'text': {'type': 'string'}}, 'required': ['text']},
                    'limits': {'cpuMs': 2000, 'wallMs': 5000},
                }

                def main(args, env):
                    if args['text'] == 'boom':
                        raise ValueError('no booms')
                    print('shouting', len(args['text']))
                    return args['text'].upper() + '!'
                """);
        Run d = cli("deploy", file.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("shout v1 QUARANTINED"), d.out());
        assertEquals(
                "Unknown tool: shout",
                call("shout", "{\"text\":\"hi\"}").at("/error/message").asText());

        Run a = cli("tools", "approve", "shout");
        assertEquals(0, a.code(), a.err());
        JsonNode ok = call("shout", "{\"text\":\"hello\"}");
        assertEquals("HELLO!", ok.at("/result/content/0/text").asText(), ok.toString());
        assertTrue(!ok.at("/result/isError").asBoolean(), ok.toString());

        JsonNode failed = call("shout", "{\"text\":\"boom\"}");
        assertTrue(failed.at("/result/isError").asBoolean(), failed.toString());
        assertTrue(failed.at("/result/content/0/text").asText().contains("ValueError: no booms"), failed.toString());

        JsonNode invalid = call("shout", "{\"text\":7}");
        assertTrue(invalid.at("/result/isError").asBoolean(), "arguments are checked against the schema: " + invalid);
        assertTrue(invalid.at("/result/content/0/text").asText().contains("text"), invalid.toString());
    }

    @Test
    void aBrokenPythonFileIsRefusedWithAClearError() throws Exception {
        Path broken = dir.resolve("broken.py");
        Files.writeString(broken, "TOOL = {'name': 'x'\ndef main(args, env):\n    return 1\n");
        Run bad = cli("deploy", broken.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("refused (422)"), bad.err());
        Path other = dir.resolve("tool.rb");
        Files.writeString(other, "puts 1");
        Run unknown = cli("deploy", other.toString());
        assertTrue(unknown.code() != 0, unknown.out());
    }
}
