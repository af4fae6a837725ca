package dev.coordinator;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.AliasFor;

/**
 * Marks a method that receives the {@link CoordinatorEvent}s of keys that start with a prefix.
 *
 * <pre class="code">
 * &#64;CoordinatorListener(prefix = "/nodes/")
 * void onNodeChange(CoordinatorEvent event) { ... }
 * </pre>
 *
 * <p>The method takes one {@link CoordinatorEvent} parameter. It runs on the coordinator's consumer thread
 * (never a NATS client thread), and the event is acknowledged to the server once every matching listener
 * has returned. An exception thrown by one listener is logged with the key and revision and does not stop
 * the other listeners. A method that throws is called again with backoff ({@code coordinator.listener.*});
 * after the last attempt a {@link CoordinatorListenerFailedEvent} is published and the event is recorded as a
 * dead letter. {@code @Order} sets the order among listeners; {@code @Async} hands the event to an executor,
 * in which case the event is acknowledged once it was handed over.
 *
 * @see Coordinator#watch
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@EventListener
public @interface CoordinatorListener {

	/**
	 * Plain string prefix of the keys whose events the method receives; {@code /} receives all of them.
	 * @return the key prefix
	 */
	String prefix() default "/";

	/**
	 * Actions the method receives; both by default.
	 * @return the actions
	 */
	CoordinatorAction[] actions() default { CoordinatorAction.PUT, CoordinatorAction.DELETE };

	/**
	 * Whether the method first receives the entries that exist under its prefix, as PUT events marked as
	 * {@link CoordinatorEvent#isReplay() replayed}, before the changes that follow. No change is lost or
	 * reordered between the two, and after a {@link CoordinatorResyncEvent resync} the method receives the
	 * differences, so that a view it builds from its events equals the stored state.
	 * @return whether to receive the initial state
	 */
	boolean initialState() default false;

	/**
	 * Spring Expression Language condition that must hold for the method to be called, as for
	 * {@link EventListener#condition()}.
	 * @return the condition
	 */
	@AliasFor(annotation = EventListener.class, attribute = "condition")
	String condition() default "";

	/**
	 * Identifier of the listener, as for {@link EventListener#id()}; defaults to the method's name.
	 * @return the listener id
	 */
	@AliasFor(annotation = EventListener.class, attribute = "id")
	String id() default "";

}
