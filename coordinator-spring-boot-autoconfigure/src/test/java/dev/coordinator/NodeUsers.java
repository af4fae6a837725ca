package dev.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * NATS users with exactly the permissions of one node as {@code docs/security.md} documents them: the block
 * between {@code # begin node user} and {@code # end node user} of that file, with its placeholders filled in.
 * Tests that use it check the documentation itself.
 */
final class NodeUsers {

	private static final Path DOCUMENT = Path.of("..", "docs", "security.md");

	private static final String BEGIN = "# begin node user";

	private static final String END = "# end node user";

	private NodeUsers() {
	}

	/**
	 * Returns the user entry of a node, for the {@code users} list of an account.
	 */
	static String user(String namespace, String nodeId) {
		String text;
		try {
			text = Files.readString(DOCUMENT);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("docs/security.md is needed: it holds the permissions under test", ex);
		}
		int begin = text.indexOf(BEGIN);
		int end = text.indexOf(END);
		if (begin < 0 || end < begin) {
			throw new IllegalStateException("docs/security.md has no block between '" + BEGIN + "' and '" + END + "'");
		}
		return text.substring(begin + BEGIN.length(), end)
			.replace("<namespace>", namespace)
			.replace("<node-id>", nodeId)
			.replace("<user>", userName(namespace, nodeId))
			.replace("<password>", password(namespace, nodeId));
	}

	static String userName(String namespace, String nodeId) {
		return namespace + "-" + nodeId;
	}

	static String password(String namespace, String nodeId) {
		return "secret-" + namespace + "-" + nodeId;
	}

	static String inboxPrefix(String namespace, String nodeId) {
		return "_INBOX." + namespace + "." + nodeId;
	}

	/**
	 * Returns the properties a node logs in with, as the documentation shows them.
	 */
	static String[] properties(String namespace, String nodeId, String... more) {
		List<String> properties = new ArrayList<>(List.of(
				"coordinator.nats.username=" + userName(namespace, nodeId),
				"coordinator.nats.password=" + password(namespace, nodeId),
				"coordinator.nats.inbox-prefix=" + inboxPrefix(namespace, nodeId)));
		properties.addAll(List.of(more));
		return properties.toArray(String[]::new);
	}

	/**
	 * A plain jnats connection as a node's user, which records what the server reports to it asynchronously.
	 */
	static final class RawNode implements AutoCloseable {

		final Connection connection;

		final List<String> errors = new CopyOnWriteArrayList<>();

		RawNode(String serverUrl, String namespace, String nodeId) throws IOException, InterruptedException {
			this.connection = Nats.connect(Options.builder()
				.server(serverUrl)
				.userInfo(userName(namespace, nodeId), password(namespace, nodeId))
				.inboxPrefix(inboxPrefix(namespace, nodeId))
				.maxReconnects(0)
				.errorListener(new ErrorListener() {

					@Override
					public void errorOccurred(Connection conn, String error) {
						RawNode.this.errors.add(error);
					}

				})
				.connectionTimeout(Duration.ofSeconds(2))
				.build());
		}

		@Override
		public void close() throws InterruptedException {
			this.connection.close();
		}

	}

}
