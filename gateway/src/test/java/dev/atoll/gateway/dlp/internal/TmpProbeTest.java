package dev.atoll.gateway.dlp.internal;

import dev.atoll.gateway.dlp.RulePack;
import dev.atoll.gateway.dlp.ScanLimits;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TmpProbeTest {
    @Test
    void probe() {
        CompiledPack pack = new CompiledPack(RulePack.builtIn().rules());
        String[] words = "the of and to in is for on with that this as it be are by from request response service deploy tokens usage limit quota billing".split(" ");
        Random r = new Random(1);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 1 << 20) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(12) == 0 ? ". " : " ");
            if (r.nextInt(50) == 0) sb.append("\"https://tracker.example.com/x/").append(r.nextInt(9999)).append("\",\"n\":1762000000000,\"c\":\"2026-11-17T03:15:30Z\" ");
        }
        String text = sb.toString();
        StringBuilder pb = new StringBuilder();
        while (pb.length() < 1 << 20) {
            pb.append(words[r.nextInt(words.length - 6)]).append(r.nextInt(12) == 0 ? ". " : " ");
        }
        String prose = pb.toString();
        byte[] key = new byte[32];
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Scanner s = new Scanner(pack, ScanLimits.defaults(), key);
                s.scanText(text);
            }
            long t1 = System.nanoTime();
            int hits = 0;
            for (int i = 0; i < 20; i++) {
                hits += pack.automaton.findAll(text).length;
            }
            long t2 = System.nanoTime();
            long t3 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                new Scanner(pack, ScanLimits.defaults(), key).scanText(prose);
            }
            long t4 = System.nanoTime();
            System.out.printf("PROBE prose-only %.0f MB/s%n", 20.0 * prose.length() / (t4 - t3) * 1e3);
            System.out.printf("PROBE scan %.0f MB/s, automaton.findAll %.0f MB/s (%d hits)%n", 20.0 * text.length() / (t1 - t0) * 1e3,
                    20.0 * text.length() / (t2 - t1) * 1e3, hits / 20);
        }
    }
}
