package dev.coordinator;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a setting of the coordinator is out of its range. Names the setting and its value, so that
 * configuration built from properties can name the offending property.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private final String setting;

	private final @Nullable Object value;

	/**
	 * Creates an exception.
	 * @param setting the setting's name, as the settings type spells it, e.g. {@code maxAckPending}
	 * @param value the rejected value
	 * @param message what is wrong and what is accepted
	 */
	public InvalidSettingException(String setting, @Nullable Object value, String message) {
		super(message);
		this.setting = setting;
		this.value = value;
	}

	/**
	 * Returns the name of the setting, as the settings type spells it.
	 * @return the setting, e.g. {@code maxAckPending}
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * Returns the rejected value.
	 * @return the value
	 */
	public @Nullable Object getValue() {
		return this.value;
	}

}
