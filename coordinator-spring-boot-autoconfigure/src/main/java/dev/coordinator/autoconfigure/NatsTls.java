package dev.coordinator.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.nats.client.impl.NatsServerPool;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * TLS for the NATS connection with the server certificate's host name verified. jnats 2.26 verifies no host
 * name: it creates its sockets with {@code SSLSocketFactory.createSocket(socket, host, port, true)} and sets no
 * endpoint identification, and it connects to a host name's IP addresses, so that the host it hands the socket
 * factory is an address. The {@link SSLContext} made here sets endpoint identification ({@code HTTPS}, RFC 2818)
 * on every socket it creates, and the {@link #serverPool() server pool} keeps host names unresolved (the JDK
 * resolves them when connecting), for configured servers and for those a cluster advertises alike.
 *
 * <p>A rejected server certificate is reported as an {@link UntrustedCertificateException} or a
 * {@link HostNameMismatchException}, and a request for a client certificate the client has none for is noted in
 * {@link ClientCertificateRequests}, so that a failed start can say what happened.
 */
final class NatsTls {

	private NatsTls() {
	}

	/**
	 * Returns whether a server URL asks for TLS.
	 * @param url a server URL
	 * @return whether its scheme is {@code tls} or {@code wss}
	 */
	static boolean isTls(String url) {
		String trimmed = url.trim();
		return trimmed.regionMatches(true, 0, "tls://", 0, 6) || trimmed.regionMatches(true, 0, "wss://", 0, 6);
	}

	/**
	 * Creates an SSL context that verifies the server's host name.
	 * @param bundle the bundle with the trust material and, for mutual TLS, the client's key; {@code null} for
	 * the JVM's default trust store
	 * @param requests where a server's request for a client certificate that the client cannot answer is noted
	 * @return the context
	 * @throws GeneralSecurityException when the context cannot be created
	 */
	static SSLContext sslContext(@Nullable SslBundle bundle, ClientCertificateRequests requests)
			throws GeneralSecurityException {
		KeyManager[] keyManagers = (bundle != null) ? bundle.getManagers().getKeyManagers() : null;
		if (keyManagers == null || keyManagers.length == 0) {
			keyManagers = new KeyManager[] { new NotingKeyManager(null, requests) };
		}
		else {
			for (int i = 0; i < keyManagers.length; i++) {
				if (keyManagers[i] instanceof X509ExtendedKeyManager extended) {
					keyManagers[i] = new NotingKeyManager(extended, requests);
				}
			}
		}
		TrustManager[] trustManagers = (bundle != null) ? bundle.getManagers().getTrustManagers()
				: defaultTrustManagers();
		TrustManager[] checking = new TrustManager[trustManagers.length];
		for (int i = 0; i < trustManagers.length; i++) {
			checking[i] = (trustManagers[i] instanceof X509ExtendedTrustManager extended)
					? new ExplainingTrustManager(extended) : trustManagers[i];
		}
		SSLContext context = SSLContext.getInstance((bundle != null) ? bundle.getProtocol() : SslBundle.DEFAULT_PROTOCOL);
		context.init(keyManagers, checking, null);
		return new VerifyingSslContext(context, (bundle != null) ? bundle.getOptions() : SslOptions.NONE);
	}

	/**
	 * Returns a server pool that leaves host names to the JDK, so that TLS sockets learn the host name.
	 * @return the pool
	 */
	static NatsServerPool serverPool() {
		return new HostNameServerPool();
	}

	private static TrustManager[] defaultTrustManagers() throws GeneralSecurityException {
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init((KeyStore) null);
		return factory.getTrustManagers();
	}

	private static List<String> names(X509Certificate certificate) {
		List<String> names = new ArrayList<>();
		try {
			Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
			if (alternatives != null) {
				for (List<?> name : alternatives) {
					Integer type = (Integer) name.get(0);
					if (type == 2) {
						names.add("DNS:" + name.get(1));
					}
					else if (type == 7) {
						names.add("IP:" + name.get(1));
					}
				}
			}
		}
		catch (CertificateParsingException ex) {
			// Reported without names.
		}
		return names;
	}

	/**
	 * Notes the last request of a server for a client certificate that the client had none for: with TLS 1.3 the
	 * client only learns from the server's alert, after the handshake, that its answer was refused, and jnats
	 * reports a timeout then.
	 */
	static final class ClientCertificateRequests {

		private volatile @Nullable List<String> unansweredIssuers;

		void unanswered(Principal @Nullable [] issuers) {
			this.unansweredIssuers = (issuers != null) ? Arrays.stream(issuers).map(Principal::getName).toList()
					: List.of();
		}

		/**
		 * Returns the issuers the server accepted in the last request the client had no certificate for.
		 * @return the issuers' names, empty when the server named none, or {@code null} when there was no such
		 * request
		 */
		@Nullable List<String> unansweredIssuers() {
			return this.unansweredIssuers;
		}

	}

	/**
	 * The server certificate is not trusted: it was not issued by a certificate the trust material holds, or it
	 * expired.
	 */
	static final class UntrustedCertificateException extends CertificateException {

		private final String subject;

		private final String issuer;

		UntrustedCertificateException(X509Certificate certificate, CertificateException cause) {
			super("The server's certificate (" + certificate.getSubjectX500Principal().getName() + ", issued by "
					+ certificate.getIssuerX500Principal().getName() + ") is not trusted: " + cause.getMessage(), cause);
			this.subject = certificate.getSubjectX500Principal().getName();
			this.issuer = certificate.getIssuerX500Principal().getName();
		}

		String getSubject() {
			return this.subject;
		}

		String getIssuer() {
			return this.issuer;
		}

	}

	/**
	 * The server certificate is trusted but names other hosts than the one connected to.
	 */
	static final class HostNameMismatchException extends CertificateException {

		private final String host;

		private final List<String> names;

		HostNameMismatchException(@Nullable String host, X509Certificate certificate, CertificateException cause) {
			super("The server's certificate is valid for " + names(certificate) + ", not for the host connected to, '"
					+ host + "'", cause);
			this.host = String.valueOf(host);
			this.names = names(certificate);
		}

		String getHost() {
			return this.host;
		}

		List<String> getNames() {
			return this.names;
		}

	}

	/**
	 * Tells an untrusted certificate from a trusted one for another host: the JDK reports both as a
	 * {@link CertificateException} told apart only by its message.
	 */
	private static final class ExplainingTrustManager extends X509ExtendedTrustManager {

		private final X509ExtendedTrustManager delegate;

		ExplainingTrustManager(X509ExtendedTrustManager delegate) {
			this.delegate = delegate;
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			try {
				this.delegate.checkServerTrusted(chain, authType, socket);
			}
			catch (CertificateException ex) {
				String host = (socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null)
						? ssl.getHandshakeSession().getPeerHost() : null;
				throw explain(chain, authType, host, ex);
			}
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			try {
				this.delegate.checkServerTrusted(chain, authType, engine);
			}
			catch (CertificateException ex) {
				throw explain(chain, authType, (engine != null) ? engine.getPeerHost() : null, ex);
			}
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			try {
				this.delegate.checkServerTrusted(chain, authType);
			}
			catch (CertificateException ex) {
				throw new UntrustedCertificateException(chain[0], ex);
			}
		}

		private CertificateException explain(X509Certificate[] chain, String authType, @Nullable String host,
				CertificateException ex) {
			try {
				// The chain alone, without the host name check.
				this.delegate.checkServerTrusted(chain, authType);
			}
			catch (CertificateException untrusted) {
				return new UntrustedCertificateException(chain[0], ex);
			}
			return new HostNameMismatchException(host, chain[0], ex);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			this.delegate.checkClientTrusted(chain, authType, socket);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			this.delegate.checkClientTrusted(chain, authType, engine);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			this.delegate.checkClientTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return this.delegate.getAcceptedIssuers();
		}

	}

	/**
	 * The bundle's key manager, noting when a server asks for a client certificate and it has none that the
	 * server accepts.
	 */
	private static final class NotingKeyManager extends X509ExtendedKeyManager {

		private final @Nullable X509ExtendedKeyManager delegate;

		private final ClientCertificateRequests requests;

		NotingKeyManager(@Nullable X509ExtendedKeyManager delegate, ClientCertificateRequests requests) {
			this.delegate = delegate;
			this.requests = requests;
		}

		@Override
		public String @Nullable [] getClientAliases(String keyType, Principal[] issuers) {
			return (this.delegate != null) ? this.delegate.getClientAliases(keyType, issuers) : null;
		}

		@Override
		public @Nullable String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return noted((this.delegate != null) ? this.delegate.chooseClientAlias(keyType, issuers, socket) : null,
					issuers);
		}

		@Override
		public @Nullable String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return noted((this.delegate != null) ? this.delegate.chooseEngineClientAlias(keyType, issuers, engine)
					: null, issuers);
		}

		private @Nullable String noted(@Nullable String alias, Principal[] issuers) {
			if (alias == null) {
				this.requests.unanswered(issuers);
			}
			return alias;
		}

		@Override
		public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
			return (this.delegate != null) ? this.delegate.getServerAliases(keyType, issuers) : null;
		}

		@Override
		public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return (this.delegate != null) ? this.delegate.chooseServerAlias(keyType, issuers, socket) : null;
		}

		@Override
		public @Nullable String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
			return (this.delegate != null) ? this.delegate.chooseEngineServerAlias(keyType, issuers, engine) : null;
		}

		@Override
		public X509Certificate @Nullable [] getCertificateChain(String alias) {
			return (this.delegate != null) ? this.delegate.getCertificateChain(alias) : null;
		}

		@Override
		public @Nullable PrivateKey getPrivateKey(String alias) {
			return (this.delegate != null) ? this.delegate.getPrivateKey(alias) : null;
		}

	}

	/**
	 * An {@link SSLContext} whose sockets and engines verify the peer's host name and use the bundle's protocols
	 * and ciphers.
	 */
	private static final class VerifyingSslContext extends SSLContext {

		VerifyingSslContext(SSLContext delegate, SslOptions options) {
			super(new Spi(delegate, options), delegate.getProvider(), delegate.getProtocol());
		}

	}

	private static final class Spi extends SSLContextSpi {

		private final SSLContext delegate;

		private final SslOptions options;

		Spi(SSLContext delegate, SslOptions options) {
			this.delegate = delegate;
			this.options = options;
		}

		@Override
		protected void engineInit(KeyManager[] keyManagers, TrustManager[] trustManagers, SecureRandom random) {
			throw new IllegalStateException("This SSL context is initialized already");
		}

		@Override
		protected SSLSocketFactory engineGetSocketFactory() {
			return new VerifyingSocketFactory(this.delegate.getSocketFactory(), this::configure);
		}

		@Override
		protected SSLServerSocketFactory engineGetServerSocketFactory() {
			return this.delegate.getServerSocketFactory();
		}

		@Override
		protected SSLEngine engineCreateSSLEngine() {
			SSLEngine engine = this.delegate.createSSLEngine();
			engine.setSSLParameters(configure(engine.getSSLParameters()));
			return engine;
		}

		@Override
		protected SSLEngine engineCreateSSLEngine(String host, int port) {
			SSLEngine engine = this.delegate.createSSLEngine(host, port);
			engine.setSSLParameters(configure(engine.getSSLParameters()));
			return engine;
		}

		@Override
		protected SSLSessionContext engineGetServerSessionContext() {
			return this.delegate.getServerSessionContext();
		}

		@Override
		protected SSLSessionContext engineGetClientSessionContext() {
			return this.delegate.getClientSessionContext();
		}

		@Override
		protected SSLParameters engineGetDefaultSSLParameters() {
			return this.delegate.getDefaultSSLParameters();
		}

		@Override
		protected SSLParameters engineGetSupportedSSLParameters() {
			return this.delegate.getSupportedSSLParameters();
		}

		private SSLParameters configure(SSLParameters parameters) {
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			if (this.options.getCiphers() != null) {
				parameters.setCipherSuites(this.options.getCiphers());
			}
			if (this.options.getEnabledProtocols() != null) {
				parameters.setProtocols(this.options.getEnabledProtocols());
			}
			return parameters;
		}

	}

	private static final class VerifyingSocketFactory extends SSLSocketFactory {

		private final SSLSocketFactory delegate;

		private final UnaryOperator<SSLParameters> configurer;

		VerifyingSocketFactory(SSLSocketFactory delegate, UnaryOperator<SSLParameters> configurer) {
			this.delegate = delegate;
			this.configurer = configurer;
		}

		private Socket configure(Socket socket) {
			if (socket instanceof SSLSocket ssl) {
				ssl.setSSLParameters(this.configurer.apply(ssl.getSSLParameters()));
			}
			return socket;
		}

		@Override
		public String[] getDefaultCipherSuites() {
			return this.delegate.getDefaultCipherSuites();
		}

		@Override
		public String[] getSupportedCipherSuites() {
			return this.delegate.getSupportedCipherSuites();
		}

		@Override
		public Socket createSocket() throws IOException {
			return configure(this.delegate.createSocket());
		}

		@Override
		public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
			return configure(this.delegate.createSocket(socket, host, port, autoClose));
		}

		@Override
		public Socket createSocket(String host, int port) throws IOException {
			return configure(this.delegate.createSocket(host, port));
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
			return configure(this.delegate.createSocket(host, port, localHost, localPort));
		}

		@Override
		public Socket createSocket(InetAddress host, int port) throws IOException {
			return configure(this.delegate.createSocket(host, port));
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
				throws IOException {
			return configure(this.delegate.createSocket(address, port, localAddress, localPort));
		}

	}

	/**
	 * jnats's pool, except that host names are not resolved to addresses before a connection attempt: the socket
	 * is created for the host name, so TLS verifies the certificate against it. The JDK resolves the name.
	 */
	private static final class HostNameServerPool extends NatsServerPool {

		@Override
		@SuppressWarnings("deprecation")
		public @Nullable List<String> resolveHostToIps(String host) {
			return null;
		}

		@Override
		public @Nullable List<String> resolveHostToIps(String host, boolean maxOneResult, boolean includeIPV6) {
			return null;
		}

	}

}
