// A properties-panel provider for the spiffworkflow extension properties CCHC Flow reads (docs/conventions.md):
// lanes' role and unit; user/manual tasks' formJsonSchemaFilename, formUiSchemaFilename, dueDate and
// instructionsForEndUser.
import { isTextFieldEntryEdited, TextAreaEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";
import { is } from "bpmn-js/lib/util/ModelUtil";

const LOW_PRIORITY = 400;
const HUMAN_TASKS = ["bpmn:UserTask", "bpmn:ManualTask"];

function extensionValues(bo) {
  return (bo.extensionElements && bo.extensionElements.values) || [];
}

function findProperties(bo) {
  return extensionValues(bo).find((v) => is(v, "spiffworkflow:Properties"));
}

export function getSpiffProperty(bo, name) {
  const props = findProperties(bo);
  const prop = props && (props.properties || []).find((p) => p.name === name);
  return prop ? prop.value : "";
}

function getInstructions(bo) {
  const el = extensionValues(bo).find((v) => is(v, "spiffworkflow:InstructionsForEndUser"));
  return el ? el.value || "" : "";
}

/** Commands that make sure bo.extensionElements exists; returns [commands, extensionElements]. */
function ensureExtensionElements(element, bo, bpmnFactory) {
  if (bo.extensionElements) return [[], bo.extensionElements];
  const ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
  ext.$parent = bo;
  return [[{ cmd: "element.updateModdleProperties", context: { element, moddleElement: bo, properties: { extensionElements: ext } } }], ext];
}

function setSpiffProperty(element, name, value, { bpmnFactory, commandStack }) {
  const bo = element.businessObject;
  const [cmds, ext] = ensureExtensionElements(element, bo, bpmnFactory);
  let props = findProperties(bo);
  if (!props) {
    props = bpmnFactory.create("spiffworkflow:Properties", { properties: [] });
    props.$parent = ext;
    cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: ext, properties: { values: [...(ext.values || []), props] } } });
  }
  const list = props.properties || [];
  const existing = list.find((p) => p.name === name);
  if (!value) {
    if (existing) {
      cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: props, properties: { properties: list.filter((p) => p !== existing) } } });
    }
  } else if (existing) {
    cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: existing, properties: { value } } });
  } else {
    const prop = bpmnFactory.create("spiffworkflow:Property", { name, value });
    prop.$parent = props;
    cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: props, properties: { properties: [...list, prop] } } });
  }
  if (cmds.length) commandStack.execute("properties-panel.multi-command-executor", cmds);
}

function setInstructions(element, value, { bpmnFactory, commandStack }) {
  const bo = element.businessObject;
  const [cmds, ext] = ensureExtensionElements(element, bo, bpmnFactory);
  const values = ext.values || [];
  const existing = values.find((v) => is(v, "spiffworkflow:InstructionsForEndUser"));
  if (!value) {
    if (existing) cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: ext, properties: { values: values.filter((v) => v !== existing) } } });
  } else if (existing) {
    cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: existing, properties: { value } } });
  } else {
    const el = bpmnFactory.create("spiffworkflow:InstructionsForEndUser", { value });
    el.$parent = ext;
    cmds.push({ cmd: "element.updateModdleProperties", context: { element, moddleElement: ext, properties: { values: [...values, el] } } });
  }
  if (cmds.length) commandStack.execute("properties-panel.multi-command-executor", cmds);
}

function PropertyEntry(props) {
  const { element, id, name, label, description } = props;
  const services = { bpmnFactory: useService("bpmnFactory"), commandStack: useService("commandStack") };
  const debounce = useService("debounceInput");
  return h(TextFieldEntry, {
    element,
    id,
    label,
    description,
    debounce,
    getValue: () => getSpiffProperty(element.businessObject, name),
    setValue: (value) => setSpiffProperty(element, name, (value || "").trim(), services),
  });
}

function InstructionsEntry({ element, id }) {
  const services = { bpmnFactory: useService("bpmnFactory"), commandStack: useService("commandStack") };
  const debounce = useService("debounceInput");
  return h(TextAreaEntry, {
    element,
    id,
    label: "Hướng dẫn cho người xử lý (instructionsForEndUser)",
    description: "Tiếng Việt; {{ tên_trường }} hiện giá trị của hồ sơ, ví dụ {{ period_label }}, {{ deadline | date_vn }}",
    debounce,
    rows: 4,
    getValue: () => getInstructions(element.businessObject),
    setValue: (value) => setInstructions(element, value || "", services),
  });
}

const entry = (name, label, description) => ({
  id: `spiff-${name}`,
  component: (p) => h(PropertyEntry, { ...p, name, label, description }),
  isEdited: isTextFieldEntryEdited,
});

export default class SpiffPropertiesProvider {
  static $inject = ["propertiesPanel"];

  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
  }

  getGroups(element) {
    return (groups) => {
      if (is(element, "bpmn:Lane")) {
        groups.push({
          id: "cchc-lane",
          label: "Người thực hiện (CCHC)",
          entries: [
            entry("role", "Vai trò (role)", "admin, leader, head, staff, clerk, coordinator, appraiser"),
            entry("unit", "Đơn vị (unit)", "instance, parent, code:<MÃ>, var:<biến>"),
          ],
        });
      }
      if (HUMAN_TASKS.some((t) => is(element, t))) {
        groups.push({
          id: "cchc-task",
          label: "Bước xử lý (CCHC)",
          entries: [
            entry("formJsonSchemaFilename", "Biểu mẫu (formJsonSchemaFilename)", "Tệp JSON schema triển khai cùng sơ đồ"),
            entry("formUiSchemaFilename", "Giao diện biểu mẫu (formUiSchemaFilename)"),
            entry("dueDate", "Hạn xử lý (dueDate)", "Biểu thức Python trả về ngày YYYY-MM-DD"),
            { id: "spiff-instructions", component: InstructionsEntry, isEdited: isTextFieldEntryEdited },
          ],
        });
      }
      return groups;
    };
  }
}

export const SpiffPropertiesModule = {
  __init__: ["spiffPropertiesProvider"],
  spiffPropertiesProvider: ["type", SpiffPropertiesProvider],
};
