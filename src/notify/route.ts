/**
Routing, as Alertmanager's route tree: the root matches every alert; an alert descends into the first child route
whose matchers it matches, and on into that child's children; a child with `continue: true` lets the alert go on to
its later siblings too. The deepest routes reached are the matches (a route none of whose children match is a
match itself). Each match names a receiver and the grouping its alerts get. Pure.
*/
import {labelsText, matchersMatch, type Labels} from '../rules/labels.js';
import {type RouteNode} from './notify-config.js';

/** The routes an alert with these labels reaches, in tree order (empty only for an undefined tree). */
export function matchRoutes(root: RouteNode | undefined, labels: Labels): RouteNode[] {
	if (root === undefined) return [];
	return descend(root, labels);
}

function descend(node: RouteNode, labels: Labels): RouteNode[] {
	const out: RouteNode[] = [];
	for (const child of node.routes) {
		if (!matchersMatch(child.matchers, labels)) continue;
		out.push(...descend(child, labels));
		if (!child.continue) break;
	}
	return out.length > 0 ? out : [node];
}

/** The labels an alert is grouped by on a route (only those it has; every label for `group_by: ['...']`). */
export function groupLabelsOf(route: RouteNode, labels: Labels): Record<string, string> {
	if (route.groupBy === 'all') return {...labels};
	const out: Record<string, string> = {};
	for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name]!;
	return out;
}

/** Alertmanager's group key: the route's key and the group labels, `{}/{severity="critical"}:{alertname="x"}`. */
export function groupKeyOf(route: RouteNode, groupLabels: Labels): string {
	return `${route.id}:{${labelsText(groupLabels)}}`;
}
