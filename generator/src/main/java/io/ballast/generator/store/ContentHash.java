package io.ballast.generator.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 names Ballast gives content: of a file, and of a set of files as a manifest (one
 * line {@code "<file name> <sha256>"} per file, sorted by name), so the name changes when any file
 * does and not with the order the files were listed in. Artifacts, patches and source checkpoints
 * are all named this way.
 */
public final class ContentHash {

    private ContentHash() {}

    public static String ofFile(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The manifest hash of files by name → their SHA-256. */
    public static String ofManifest(Map<String, String> files) {
        StringBuilder manifest = new StringBuilder();
        new TreeMap<>(files)
                .forEach((name, sha) ->
                        manifest.append(name).append(' ').append(sha).append('\n'));
        return HexFormat.of().formatHex(digest().digest(manifest.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
