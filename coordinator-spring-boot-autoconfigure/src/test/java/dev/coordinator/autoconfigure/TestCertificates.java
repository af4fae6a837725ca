package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificate authorities, server and client certificates made at test time with the JDK's {@code keytool}, as
 * PEM files that nats-server and Spring Boot's PEM SSL bundles read.
 */
final class TestCertificates {

	private static final String PASSWORD = "changeit";

	private final Path dir;

	private TestCertificates(Path dir) {
		this.dir = dir;
	}

	/**
	 * Creates an empty folder for certificates.
	 * @param dir the folder
	 * @return the certificates
	 */
	static TestCertificates in(Path dir) {
		return new TestCertificates(dir);
	}

	/**
	 * Creates a certificate authority: {@code <name>.crt} (PEM).
	 * @param name the CA's name
	 * @return the PEM certificate file
	 */
	Path authority(String name) {
		keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
				"-ext", "bc:c", "-validity", "2", "-keystore", store(name));
		keytool("-exportcert", "-rfc", "-alias", name, "-keystore", store(name), "-file", pem(name));
		return this.dir.resolve(name + ".crt");
	}

	/**
	 * Creates a key and a certificate issued by a CA: {@code <name>.crt} and {@code <name>.key} (PKCS#8 PEM).
	 * @param name the file name
	 * @param authority the CA's name, made by {@link #authority(String)}
	 * @param usage {@code serverAuth} or {@code clientAuth}
	 * @param subjectAlternativeNames e.g. {@code dns:localhost}, {@code ip:127.0.0.1}; none for a client
	 * @return the PEM certificate file
	 */
	Path issue(String name, String authority, String usage, String... subjectAlternativeNames) {
		keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
				"-validity", "2", "-keystore", store(name));
		keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", file(name + ".csr"));
		List<String> args = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", authority, "-keystore",
				store(authority), "-infile", file(name + ".csr"), "-outfile", pem(name), "-validity", "2", "-ext",
				"eku=" + usage));
		if (subjectAlternativeNames.length > 0) {
			args.addAll(List.of("-ext", "san=" + String.join(",", subjectAlternativeNames)));
		}
		keytool(args.toArray(String[]::new));
		writePrivateKey(name);
		return this.dir.resolve(name + ".crt");
	}

	/**
	 * Returns the private key file of a certificate made by {@link #issue}.
	 * @param name the file name
	 * @return the PEM key file
	 */
	Path key(String name) {
		return this.dir.resolve(name + ".key");
	}

	/**
	 * Returns the certificate file of a name.
	 * @param name the file name
	 * @return the PEM certificate file
	 */
	Path certificate(String name) {
		return this.dir.resolve(name + ".crt");
	}

	private void writePrivateKey(String name) {
		try (InputStream in = Files.newInputStream(Paths.get(store(name)))) {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(in, PASSWORD.toCharArray());
			Key key = store.getKey(name, PASSWORD.toCharArray());
			String pem = "-----BEGIN PRIVATE KEY-----\n"
					+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
					+ "\n-----END PRIVATE KEY-----\n";
			Files.writeString(key(name), pem);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not write the private key of " + name, ex);
		}
	}

	private String store(String name) {
		return file(name + ".p12");
	}

	private String pem(String name) {
		return file(name + ".crt");
	}

	private String file(String name) {
		return this.dir.resolve(name).toString();
	}

	private void keytool(String... args) {
		List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "keytool")
			.toString()));
		command.addAll(List.of(args));
		command.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("keytool failed: " + command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
