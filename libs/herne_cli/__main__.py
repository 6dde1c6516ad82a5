from herne_cli.main import main

raise SystemExit(main())
