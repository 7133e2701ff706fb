main :: IO ()
main = putStrLn (42 :: Int)
