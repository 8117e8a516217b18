// The requested cost of an Admin GraphQL operation by Shopify's documented calculated-cost rules, which Shopify
// applies before running a query and refuses above 1,000 points:
//   scalar and enum fields 0; an object 1; an interface or union the most expensive of its possible selections;
//   a connection 2 plus `first` (or `last`) times the cost of one of its nodes, so nested connections multiply;
//   a mutation 10.
// Lists that are not connections are counted as one object unless they take a `first` argument, which sizes them.
// A connection without `first` or `last` is an error here (Shopify refuses it too).
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type DocumentNode,
} from "graphql";

export const SINGLE_QUERY_LIMIT = 1000;
const MUTATION_COST = 10;
const CONNECTION_COST = 2;

export class QueryCostError extends Error {}

interface Context {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  defaults: Record<string, unknown>;
}

function argumentValue(node: ValueNode, context: Context): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    return context.variables[name] ?? context.defaults[name];
  }
  if (node.kind === Kind.NULL) return null;
  return undefined;
}

function sizeArgument(field: FieldNode, context: Context): number | undefined {
  for (const name of ["first", "last"]) {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) continue;
    const value = argumentValue(arg.value, context);
    if (typeof value !== "number") throw new QueryCostError(`${field.name.value}(${name}: …) has no value to size it by`);
    return value;
  }
  return undefined;
}

function isConnection(type: GraphQLCompositeType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith("Connection") && "pageInfo" in type.getFields();
}

/** The fields a selection set selects on one concrete type (fragments applied). */
function fieldsOn(type: GraphQLObjectType, selectionSet: SelectionSetNode, context: Context): FieldNode[] {
  const fields: FieldNode[] = [];
  const applies = (condition: string | undefined) => {
    if (!condition || condition === type.name) return true;
    const conditionType = context.schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && context.schema.isSubType(conditionType, type);
  };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value)) fields.push(...fieldsOn(type, selection.selectionSet, context));
    } else {
      const fragment = context.fragments.get(selection.name.value);
      if (!fragment) throw new QueryCostError(`unknown fragment ${selection.name.value}`);
      if (applies(fragment.typeCondition.name.value)) fields.push(...fieldsOn(type, fragment.selectionSet, context));
    }
  }
  return fields;
}

/** The cost of what is selected inside one value of a composite type (not counting the value itself). */
function selectionCost(type: GraphQLCompositeType, selectionSet: SelectionSetNode | undefined, context: Context): number {
  if (!selectionSet) return 0;
  const concrete = isAbstractType(type) ? context.schema.getPossibleTypes(type) : [type as GraphQLObjectType];
  let most = 0;
  for (const objectType of concrete) {
    let sum = 0;
    for (const field of fieldsOn(objectType, selectionSet, context)) sum += fieldCost(objectType, field, context);
    most = Math.max(most, sum);
  }
  return most;
}

function nodeCost(connection: GraphQLObjectType, field: FieldNode, context: Context): number {
  // One node: `nodes { … }` and `edges { node { … } }` select the same objects; both are counted when both appear.
  let perNode = 0;
  for (const inner of fieldsOn(connection, field.selectionSet!, context)) {
    const name = inner.name.value;
    const def = connection.getFields()[name]!;
    const itemType = getNamedType(def.type) as GraphQLCompositeType;
    if (name === "nodes") perNode += 1 + selectionCost(itemType, inner.selectionSet, context);
    else if (name === "edges" && isObjectType(itemType)) {
      for (const edgeField of fieldsOn(itemType, inner.selectionSet!, context)) {
        if (edgeField.name.value !== "node") continue;
        const nodeType = getNamedType(itemType.getFields().node!.type) as GraphQLCompositeType;
        perNode += 1 + selectionCost(nodeType, edgeField.selectionSet, context);
      }
    }
    // pageInfo and scalars such as totalCount are part of the connection's own two points.
  }
  return perNode;
}

function fieldCost(parent: GraphQLObjectType, field: FieldNode, context: Context): number {
  const name = field.name.value;
  if (name === "__typename") return 0;
  const def: GraphQLField<unknown, unknown> | undefined = parent.getFields()[name];
  if (!def) throw new QueryCostError(`${parent.name} has no field ${name}`);
  const named = getNamedType(def.type);
  if (!isCompositeType(named)) return 0;
  if (isConnection(named)) {
    const size = sizeArgument(field, context);
    if (size === undefined) throw new QueryCostError(`connection ${parent.name}.${name} needs first or last`);
    return CONNECTION_COST + size * nodeCost(named, field, context);
  }
  const one = 1 + selectionCost(named, field.selectionSet, context);
  if (isListType(getNullableType(def.type))) return (def.args.some((a) => a.name === "first") ? (sizeArgument(field, context) ?? 1) : 1) * one;
  return one;
}

/** The requested cost of the document's operation (the only one, or the one named). */
export function requestedQueryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new QueryCostError("the document needs exactly one operation (or an operation name)");
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const defaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue?.kind === Kind.INT) defaults[definition.variable.name.value] = Number(definition.defaultValue.value);
  }
  const context: Context = { schema, fragments, variables, defaults };
  const root = operation.operation === "mutation" ? schema.getMutationType() : operation.operation === "query" ? schema.getQueryType() : null;
  if (!root) throw new QueryCostError(`${operation.operation} operations are not priced here`);
  let total = 0;
  for (const field of fieldsOn(root, operation.selectionSet, context)) {
    if (operation.operation === "mutation") {
      const def = root.getFields()[field.name.value];
      if (!def) throw new QueryCostError(`${root.name} has no field ${field.name.value}`);
      const payload = getNamedType(def.type);
      total += MUTATION_COST + (isCompositeType(payload) ? selectionCost(payload, field.selectionSet, context) : 0);
    } else {
      total += fieldCost(root, field, context);
    }
  }
  return total;
}
