// Every Hardhat task of the suite, registered by the plugin (tasks/plugin.ts). Tasks are grouped by
// subject: deploy / breaker / guardian (tasks/operator), drill (tasks/drills), readiness (tasks/readiness),
// incident (tasks/incident), keeper backtest (tasks/calibrate).
import type { TaskDefinition } from "hardhat/types/tasks";
import { calibrateTasks } from "./calibrate/index.js";
import { operatorTasks } from "./operator/index.js";
import { drillTasks } from "./drills/index.js";
import { readinessTasks } from "./readiness/index.js";
import { incidentTasks } from "./incident/index.js";

export const breakwaterTasks: TaskDefinition[] = [...operatorTasks, ...drillTasks, ...readinessTasks, ...incidentTasks, ...calibrateTasks];
