package com.example.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.coordinator.Coordinator;
import dev.coordinator.autoconfigure.CoordinatorProperties;
import dev.coordinator.test.NatsServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README.md's snippets are code that compiles, configuration that binds, and a quick start that works.
 */
class ReadmeSnippetsTests {

	private static final Path README = Path.of("..", "README.md");

	/** Where README's Java comes from: {@code ReadmeSnippets} and the testing examples in {@code com.example.orders}. */
	private static final Path EXAMPLES = Path.of("src", "test", "java", "com", "example");

	@RegisterExtension
	static final NatsServerExtension server = new NatsServerExtension();

	@Test
	void everyJavaBlockIsCompiledInTheExamples() throws IOException {
		List<String> sources;
		try (Stream<Path> files = Files.walk(EXAMPLES)) {
			sources = files.filter((file) -> file.toString().endsWith(".java")).map(ReadmeSnippetsTests::read).toList();
		}
		List<String> blocks = blocks("java");
		assertThat(blocks).hasSizeGreaterThanOrEqualTo(4);
		assertThat(blocks).allSatisfy((block) -> assertThat(sources).as("README block in a source under " + EXAMPLES)
			.anySatisfy((source) -> assertThat(source).contains(block)));
	}

	@Test
	void everyYamlBlockBindsToTheCoordinatorProperties() throws IOException {
		List<String> blocks = blocks("yaml");
		assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
		List<CoordinatorProperties> bound = new ArrayList<>();
		for (String block : blocks) {
			StandardEnvironment environment = new StandardEnvironment();
			for (PropertySource<?> source : new YamlPropertySourceLoader().load("README",
					new ByteArrayResource(block.getBytes(StandardCharsets.UTF_8)))) {
				environment.getPropertySources().addFirst(source);
			}
			Binder binder = new Binder(ConfigurationPropertySources.get(environment),
					new PropertySourcesPlaceholdersResolver(environment));
			BindResult<CoordinatorProperties> result = binder.bind("coordinator",
					Bindable.of(CoordinatorProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
			assertThat(result.isBound()).as(block).isTrue();
			bound.add(result.get());
		}
		assertThat(bound).anySatisfy((properties) -> {
			assertThat(properties.getNamespace()).isEqualTo("orders");
			assertThat(properties.getNats().getServers()).containsExactly("nats://nats-1:4222", "nats://nats-2:4222");
		});
		assertThat(bound).anySatisfy((properties) -> assertThat(properties.getBucket().getReplicas()).isEqualTo(3));
	}

	@Test
	void quickStartStoresTheNodeAsAMember() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(QuickStart.class, Membership.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties("coordinator.nats.servers=" + server.url(), "coordinator.namespace=readme",
					"coordinator.node-id=node-1")
			.run()) {
			Coordinator coordinator = context.getBean(Coordinator.class);
			await().until(() -> coordinator.get("/nodes/node-1").isPresent());
			assertThat(coordinator.get("/nodes/node-1").orElseThrow().valueAs(Member.class).nodeId())
				.isEqualTo("node-1");
		}
	}

	/** A source with tabs read as four spaces, as README's blocks may be indented either way. */
	private static String read(Path file) {
		try {
			return Files.readString(file).replace("\t", "    ");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<String> blocks(String language) throws IOException {
		Matcher matcher = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
			.matcher(Files.readString(README));
		List<String> blocks = new ArrayList<>();
		while (matcher.find()) {
			blocks.add(matcher.group(1).replace("\t", "    "));
		}
		return blocks;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class QuickStart {

	}

}
