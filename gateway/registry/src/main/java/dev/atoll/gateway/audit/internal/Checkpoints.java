package dev.atoll.gateway.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.gateway.audit.ChainHead;
import dev.atoll.gateway.audit.Checkpoint;
import dev.atoll.gateway.audit.CheckpointVerification;
import dev.atoll.gateway.audit.VerifyResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed checkpoints of the chain head, kept outside the database: JSON lines in
 * {@code <data-dir>/audit-checkpoints.jsonl}, signed with HMAC-SHA256 under a random 256-bit key in
 * {@code <data-dir>/audit-checkpoint.key} (owner-only permissions). The key never enters the
 * database, so whoever can only write the database cannot make a checkpoint that fits a truncated
 * or re-hashed chain.
 */
final class Checkpoints {

    static final String FORMAT = "atoll-audit-checkpoint-v1";
    static final String FILE = "audit-checkpoints.jsonl";
    static final String KEY_FILE = "audit-checkpoint.key";
    private static final Logger LOG = Logger.getLogger(Checkpoints.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_LINES = 1_000_000;

    /** The hash of one stored record, if it exists. */
    @FunctionalInterface
    interface Records {
        Optional<String> hashAt(long seq) throws java.sql.SQLException;
    }

    private final Path dir;
    private long lastSeq = -1;

    Checkpoints(Path dataDir) {
        this.dir = dataDir.toAbsolutePath().normalize();
    }

    /** Appends a checkpoint of {@code head} unless it is the one written last (or the log is empty). */
    synchronized Optional<Checkpoint> write(ChainHead head) {
        if (head.seq() == 0 || head.seq() == lastSeq) {
            return Optional.empty();
        }
        Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
        Checkpoint cp =
                new Checkpoint(head.seq(), head.hash(), at, mac(key(true), head.seq(), head.hash(), at.toEpochMilli()));
        String line = toJson(cp);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(
                    dir.resolve(FILE),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the audit checkpoint to " + dir.resolve(FILE), e);
        }
        lastSeq = head.seq();
        LOG.log(Level.INFO, "audit checkpoint " + line);
        return Optional.of(cp);
    }

    /** Verifies checkpoint lines against an intact chain whose head is {@code head}. */
    CheckpointVerification verify(InputStream lines, VerifyResult chain, Records records) throws java.sql.SQLException {
        List<Parsed> parsed = parse(lines);
        if (!(chain instanceof VerifyResult.Intact intact)) {
            return new CheckpointVerification(chain, 0);
        }
        ChainHead head = intact.head();
        byte[] key = parsed.isEmpty() ? new byte[0] : key(false);
        int ok = 0;
        for (Parsed p : parsed) {
            Checkpoint cp = p.checkpoint();
            String expected = mac(key, cp.seq(), cp.hash(), cp.at().toEpochMilli());
            if (key.length == 0
                    || !MessageDigest.isEqual(
                            expected.getBytes(StandardCharsets.US_ASCII),
                            cp.mac().getBytes(StandardCharsets.US_ASCII))) {
                return new CheckpointVerification(
                        new VerifyResult.Broken(
                                intact.checked(),
                                cp.seq(),
                                VerifyResult.Problem.BAD_CHECKPOINT,
                                "the checkpoint on line " + p.line()
                                        + " is not signed with this gateway's checkpoint key (" + KEY_FILE
                                        + " in the data directory): it was altered, forged or written by another gateway"),
                        ok);
            }
            if (cp.seq() > head.seq()) {
                return new CheckpointVerification(
                        new VerifyResult.Broken(
                                intact.checked(),
                                cp.seq(),
                                VerifyResult.Problem.ROLLED_BACK,
                                "the checkpoint on line " + p.line() + " (" + cp.at()
                                        + ") names record " + cp.seq() + " but the chain ends at record " + head.seq()
                                        + ": records were deleted and the head rewound"),
                        ok);
            }
            Optional<String> stored = records.hashAt(cp.seq());
            if (stored.isEmpty() || !stored.get().equals(cp.hash())) {
                return new CheckpointVerification(
                        new VerifyResult.Broken(
                                intact.checked(),
                                cp.seq(),
                                VerifyResult.Problem.REWRITTEN,
                                "record " + cp.seq() + " does not have the hash the checkpoint"
                                        + " on line " + p.line() + " (" + cp.at()
                                        + ") recorded: the chain was rewritten and"
                                        + " re-hashed after that checkpoint"),
                        ok);
            }
            ok++;
        }
        return new CheckpointVerification(intact, ok);
    }

    private record Parsed(int line, Checkpoint checkpoint) {}

    private static List<Parsed> parse(InputStream in) {
        List<Parsed> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int n = 0;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                if (out.size() >= MAX_LINES) {
                    throw new IllegalArgumentException("more than " + MAX_LINES + " checkpoints");
                }
                out.add(new Parsed(n, parseLine(n, line)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Checkpoint parseLine(int n, String line) {
        JsonNode j;
        try {
            j = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("line " + n + " is not JSON");
        }
        if (!(j instanceof ObjectNode o) || !FORMAT.equals(o.path("format").textValue())) {
            throw new IllegalArgumentException("line " + n + " is not an " + FORMAT + " checkpoint");
        }
        JsonNode seq = o.get("seq");
        JsonNode at = o.get("atMs");
        String hash = o.path("hash").textValue();
        String mac = o.path("mac").textValue();
        if (seq == null
                || !seq.canConvertToLong()
                || !seq.isIntegralNumber()
                || seq.asLong() < 1
                || at == null
                || !at.isIntegralNumber()
                || !at.canConvertToLong()
                || at.asLong() < 0
                || hash == null
                || !HEX64.matcher(hash).matches()
                || mac == null
                || !HEX64.matcher(mac).matches()) {
            throw new IllegalArgumentException(
                    "line " + n + " needs seq (>= 1), atMs (>= 0), hash and mac" + " (64 lowercase hex digits each)");
        }
        return new Checkpoint(seq.asLong(), hash, Instant.ofEpochMilli(at.asLong()), mac);
    }

    static String toJson(Checkpoint cp) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("seq", cp.seq());
        o.put("hash", cp.hash());
        o.put("atMs", cp.at().toEpochMilli());
        o.put("at", cp.at().toString());
        o.put("mac", cp.mac());
        return o.toString();
    }

    static String mac(byte[] key, long seq, String hash, long atMs) {
        if (key.length == 0) {
            return "";
        }
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(m.doFinal(
                            (FORMAT + "\n" + seq + "\n" + hash + "\n" + atMs).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The key (32 bytes, hex in the file); created owner-only on first use when {@code create}. */
    private byte[] key(boolean create) {
        Path f = dir.resolve(KEY_FILE);
        try {
            if (!Files.exists(f)) {
                if (!create) {
                    return new byte[0];
                }
                Files.createDirectories(dir);
                byte[] k = new byte[32];
                new SecureRandom().nextBytes(k);
                try {
                    Files.createFile(
                            f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(f, HexFormat.of().formatHex(k) + "\n", StandardCharsets.US_ASCII);
                } catch (FileAlreadyExistsException raced) {
                    // another node on this data dir created it first: use theirs
                } catch (UnsupportedOperationException notPosix) {
                    Files.writeString(f, HexFormat.of().formatHex(k) + "\n", StandardCharsets.US_ASCII);
                }
            }
            String hex = Files.readString(f, StandardCharsets.US_ASCII).trim();
            if (!HEX64.matcher(hex).matches()) {
                throw new IllegalStateException(f + " must hold 64 lowercase hex digits");
            }
            return HexFormat.of().parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit checkpoint key " + f, e);
        }
    }
}
