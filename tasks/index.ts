// Every Hardhat task of the suite, registered in hardhat.config.ts. Tasks are grouped by
// subject: deploy / breaker / guardian (tasks/operator) and drill (tasks/drills).
import type { TaskDefinition } from "hardhat/types/tasks";
import { operatorTasks } from "./operator/index.js";
import { drillTasks } from "./drills/index.js";

export const breakwaterTasks: TaskDefinition[] = [...operatorTasks, ...drillTasks];
