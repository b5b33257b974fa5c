// Type-checked: the element's declarations (`import "qinglian/calculator"`).
import { configure, mount, type CalculatorResult, type QinglianCalculator } from "../pkg/calculator/calculator.js";

export function embed(container: HTMLElement, wasm: string): () => void {
  configure({ wasm });
  const calculator = mount(container, {
    rulesets: ["/rules/village.toml", "/rules/hospital.toml"],
    lang: "en",
    onResult: (r: CalculatorResult) => {
      if (r.complete && r.evaluation) console.log(r.evaluation.score, r.evaluation.grade);
      else console.log(`${r.answered}/${r.total}`, r.unanswered.join(", "));
    },
  });
  const element: QinglianCalculator = calculator.element;
  element.addEventListener("result", (e) => console.log(e.detail.invalid));
  const same: QinglianCalculator | null = document.querySelector("qinglian-calculator");
  same?.select("hospital.toml");
  return () => calculator.destroy();
}
