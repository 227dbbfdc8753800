#!/usr/bin/env node
/* global process */
import { main } from '../dist/cli/main.js'

process.exitCode = await main(process.argv)
