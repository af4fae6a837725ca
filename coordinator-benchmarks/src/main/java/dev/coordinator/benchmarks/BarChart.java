package dev.coordinator.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A grouped bar chart written as a small hand-made SVG file: one group of bars per measured size (nodes, keys),
 * the library's bar next to raw jnats's, each labelled with its value.
 *
 * @param file the file name, e.g. {@code fan-out-rate.svg}
 * @param title the chart's title
 * @param sizeLabel what the groups are, e.g. {@code nodes}
 * @param unit the unit of the values, e.g. {@code events/s per node}
 * @param sizes the label of each group
 * @param library the library's value per group
 * @param raw raw jnats's value per group
 */
record BarChart(String file, String title, String sizeLabel, String unit, List<String> sizes, List<Double> library,
		List<Double> raw) {

	private static final int WIDTH = 640;

	private static final int HEIGHT = 360;

	private static final int LEFT = 70;

	private static final int RIGHT = 20;

	private static final int TOP = 50;

	private static final int BOTTOM = 60;

	private static final String LIBRARY_COLOUR = "#3b6fb6";

	private static final String RAW_COLOUR = "#9a9a9a";

	BarChart {
		if (sizes.size() != library.size() || sizes.size() != raw.size()) {
			throw new IllegalArgumentException("Chart '" + title + "' has " + sizes.size() + " sizes but "
					+ library.size() + " library and " + raw.size() + " raw values");
		}
	}

	/**
	 * Writes the chart into a folder.
	 * @return the file written
	 */
	Path writeTo(Path folder) throws IOException {
		Files.createDirectories(folder);
		Path target = folder.resolve(this.file);
		Files.writeString(target, svg(), StandardCharsets.UTF_8);
		return target;
	}

	String svg() {
		double max = 0;
		for (int i = 0; i < this.sizes.size(); i++) {
			max = Math.max(max, Math.max(this.library.get(i), this.raw.get(i)));
		}
		double top = niceCeiling(max);
		int plotWidth = WIDTH - LEFT - RIGHT;
		int plotHeight = HEIGHT - TOP - BOTTOM;
		List<String> parts = new ArrayList<>();
		parts.add(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\" font-size=\"12\">",
				WIDTH, HEIGHT, WIDTH, HEIGHT));
		parts.add(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>", WIDTH, HEIGHT));
		parts.add(text(WIDTH / 2.0, 20, "middle", "font-size=\"14\" font-weight=\"bold\"", this.title));
		parts.add(legend(LEFT, 36, LIBRARY_COLOUR, "library"));
		parts.add(legend(LEFT + 90, 36, RAW_COLOUR, "raw jnats"));
		for (int tick = 0; tick <= 4; tick++) {
			double value = top * tick / 4;
			double y = TOP + plotHeight - plotHeight * tick / 4.0;
			parts.add(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>", LEFT, y, WIDTH - RIGHT,
					y));
			parts.add(text(LEFT - 6, y + 4, "end", "", Stats.whole(value)));
		}
		parts.add(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>", LEFT,
				TOP + plotHeight, WIDTH - RIGHT, TOP + plotHeight));
		double group = (double) plotWidth / this.sizes.size();
		double bar = group / 3;
		for (int i = 0; i < this.sizes.size(); i++) {
			double x = LEFT + group * i + group / 6;
			parts.add(bar(x, bar, this.library.get(i), top, plotHeight, LIBRARY_COLOUR));
			parts.add(bar(x + bar, bar, this.raw.get(i), top, plotHeight, RAW_COLOUR));
			parts.add(text(x + bar, TOP + plotHeight + 16, "middle", "", this.sizes.get(i)));
		}
		parts.add(text(LEFT + plotWidth / 2.0, HEIGHT - 22, "middle", "", this.sizeLabel));
		parts.add(String.format(Locale.ROOT,
				"<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>",
				TOP + plotHeight / 2.0, TOP + plotHeight / 2.0, escape(this.unit)));
		parts.add("</svg>");
		return String.join("\n", parts) + "\n";
	}

	private static String bar(double x, double width, double value, double top, int plotHeight, String colour) {
		double height = (top > 0) ? plotHeight * value / top : 0;
		double y = TOP + plotHeight - height;
		return String.format(Locale.ROOT,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n%s", x, y, width - 2,
				height, colour, text(x + width / 2 - 1, y - 4, "middle", "font-size=\"10\"", Stats.whole(value)));
	}

	private static String legend(double x, double y, String colour, String label) {
		return String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n%s",
				x, y - 10, colour, text(x + 16, y, "start", "", label));
	}

	private static String text(double x, double y, String anchor, String attributes, String content) {
		return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>", x, y, anchor,
				attributes, escape(content));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	/**
	 * Returns 1, 2 or 5 times a power of ten, the smallest at least the value (1 for nothing to show).
	 */
	static double niceCeiling(double value) {
		if (value <= 0) {
			return 1;
		}
		double power = Math.pow(10, Math.floor(Math.log10(value)));
		for (double step : new double[] { 1, 2, 5, 10 }) {
			if (step * power >= value) {
				return step * power;
			}
		}
		return 10 * power;
	}

}
