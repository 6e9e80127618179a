import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.config.base.ts";

export default defineConfig(libraryBuild);
