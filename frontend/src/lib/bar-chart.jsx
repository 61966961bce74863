// A bar chart (chart.js) with its numbers as a table under it: the plan page's charts and the province view's.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export function BarChart({ id, title, labels, datasets, horizontal = false, stacked = true, tall = false }) {
  const ref = useRef(null);
  useEffect(() => {
    const chart = new Chart(ref.current, {
      type: "bar",
      data: { labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" }, tooltip: { enabled: true } },
        scales: { x: { stacked, ticks: { precision: 0 } }, y: { stacked, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [labels, datasets, horizontal, stacked]);
  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <h3 style={{ marginTop: 0 }}>{title}</h3>
      </figcaption>
      <div className={`chart-box${tall ? " tall" : ""}`}>
        <canvas ref={ref} id={id} data-testid={id} role="img" aria-label={title} />
      </div>
      <details>
        <summary>Xem số liệu dạng bảng</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Mục</th>
                {datasets.map((d) => (
                  <th key={d.label} scope="col">
                    {d.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((label, i) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  {datasets.map((d) => (
                    <td key={d.label}>{d.data[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
