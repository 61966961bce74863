// SpiffWorkflow diagrams name process variables in references such as
// <bpmn:loopDataInputRef>units</bpmn:loopDataInputRef>; bpmn-moddle cannot resolve them (no element has that id)
// and would drop them on export. After an import we put a detached placeholder with that id in place, so the
// reference is written back unchanged.

const UNRESOLVED = /^unresolved reference <(.+)>$/;

export async function importDiagram(modeler, xml) {
  const result = await modeler.importXML(xml);
  const moddle = modeler.get("moddle");
  const kept = [];
  const warnings = [];
  for (const warning of result.warnings || []) {
    const match = UNRESOLVED.exec(warning.message || "");
    const element = warning.element;
    const property = warning.property;
    if (match && element && property && !match[1].includes(":")) {
      const descriptor = element.$descriptor.propertiesByName[property] || element.$descriptor.propertiesByName[property.split(":").pop()];
      if (descriptor && !descriptor.isMany && element.get(property) === undefined) {
        element.set(property, moddle.create("bpmn:DataObject", { id: match[1] }));
        kept.push({ element: element.id || element.$type, property, name: match[1] });
        continue;
      }
    }
    warnings.push(warning);
  }
  return { warnings, kept };
}
